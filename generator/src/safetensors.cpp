// The safetensors reader (safetensors.h). Order of checks: the length
// prefix against the file, the header's nesting depth (LLVM's JSON parser
// recurses once per level, so a hostile "[[[[..." is refused before it is
// parsed), the JSON itself, duplicate keys at any level (json::Object keeps
// one of them silently), then every tensor's fields, then the tiling of the
// data section. Nothing indexes the file before its bounds are checked.
#include "convgen/safetensors.h"

#include <algorithm>
#include <cstring>
#include <array>
#include <set>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SHA256.h"

namespace convgen {
namespace {

// Nesting of the header's JSON: a valid header needs 3 ({ "t": { "shape": [ ).
constexpr int kMaxHeaderNesting = 16;
// JSON values in the header: a tensor takes about 10, so this is 100,000
// tensors; it bounds what the parsed header holds (LLVM's json::Value is 40
// bytes each, so "[0,0,0,...]" would otherwise cost 20x the header's size).
constexpr std::uint64_t kMaxHeaderValues = 1u << 20;

std::string quoted(llvm::StringRef s) { return "'" + excerpt(s) + "'"; }

// Skips the JSON string starting at text[i] == '"'; returns the index just
// past its closing quote (text is known valid JSON here).
std::size_t skipString(llvm::StringRef text, std::size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return i + 1;
  }
  return text.size();
}

// The deepest nesting of arrays and objects, and an upper bound on the
// number of JSON values (every value but the first follows a ',', '[', '{'
// or ':'), strings skipped. Works on any text (the header is not parsed yet).
struct HeaderShape {
  int deepest = 0;
  std::uint64_t values = 1;
};
HeaderShape headerShape(llvm::StringRef text) {
  HeaderShape shape;
  int depth = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      i = skipString(text, i);
      continue;
    }
    if (c == '[' || c == '{') shape.deepest = std::max(shape.deepest, ++depth);
    if (c == ']' || c == '}') --depth;
    if (c == ',' || c == '[' || c == '{' || c == ':') ++shape.values;
    ++i;
  }
  return shape;
}

// The first key given twice in one object, at any level ("" when none).
// `text` is valid JSON: only strings can hold brackets.
std::string duplicateKey(llvm::StringRef text) {
  struct Level {
    bool object;
    bool expect_key;  // objects: the next string is a key
    std::set<std::string> keys;
  };
  std::vector<Level> levels;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const std::size_t end = skipString(text, i);
      if (!levels.empty() && levels.back().object && levels.back().expect_key) {
        levels.back().expect_key = false;
        llvm::Expected<llvm::json::Value> key = llvm::json::parse(text.slice(i, end));
        std::string name;
        if (key) {
          if (llvm::Optional<llvm::StringRef> s = key->getAsString()) name = s->str();
        } else {
          llvm::consumeError(key.takeError());
        }
        if (!levels.back().keys.insert(name).second) return name.empty() ? "\"\"" : name;
      }
      i = end;
      continue;
    }
    if (c == '{' || c == '[') levels.push_back({c == '{', c == '{', {}});
    if ((c == '}' || c == ']') && !levels.empty()) levels.pop_back();
    if (c == ',' && !levels.empty() && levels.back().object) levels.back().expect_key = true;
    ++i;
  }
  return "";
}

std::uint64_t readLittleEndian64(llvm::StringRef bytes) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

const SafeDTypeInfo* dtypeInfo(llvm::StringRef name) {
  for (const SafeDTypeInfo& d : safetensorsDTypeTable())
    if (d.name == std::string_view(name.data(), name.size())) return &d;
  return nullptr;
}

std::string dtypeNames() {
  std::string out;
  for (const SafeDTypeInfo& d : safetensorsDTypeTable())
    out += (out.empty() ? "" : ", ") + std::string(d.name);
  return out;
}

class HeaderReader {
 public:
  HeaderReader(const std::string& file, std::vector<std::string>* errors)
      : file_(file), errors_(errors) {}

  void error(const std::string& message) {
    errors_->push_back("weights file '" + excerpt(file_) + "': " + message);
  }
  void tensorError(llvm::StringRef tensor, const std::string& message) {
    error("tensor " + quoted(tensor) + ": " + message);
  }

  // One entry of the header: a tensor, or __metadata__.
  std::optional<SafeTensor> tensor(llvm::StringRef name, const llvm::json::Value& value) {
    const llvm::json::Object* obj = value.getAsObject();
    if (!obj) {
      tensorError(name, "expected an object with 'dtype', 'shape' and 'data_offsets'");
      return std::nullopt;
    }
    SafeTensor t;
    t.name = name.str();
    bool ok = true;
    std::vector<std::string> unknown;
    for (const auto& entry : *obj)
      if (entry.first != "dtype" && entry.first != "shape" && entry.first != "data_offsets")
        unknown.push_back(entry.first.str());
    std::sort(unknown.begin(), unknown.end());
    for (const std::string& key : unknown) {
      tensorError(name, "unknown field " + quoted(key));
      ok = false;
    }
    const llvm::json::Value* dtype = obj->get("dtype");
    const SafeDTypeInfo* info = nullptr;
    if (!dtype) {
      tensorError(name, "missing 'dtype'");
      ok = false;
    } else if (llvm::Optional<llvm::StringRef> s = dtype->getAsString()) {
      info = dtypeInfo(*s);
      if (!info) {
        tensorError(name, "unknown dtype " + quoted(*s) + " (the format's are " + dtypeNames() +
                              ")");
        ok = false;
      }
      t.dtype = s->str();
    } else {
      tensorError(name, "'dtype' must be a string");
      ok = false;
    }
    std::uint64_t elements = 1;
    bool elements_ok = true;
    const llvm::json::Value* shape = obj->get("shape");
    const llvm::json::Array* dims = shape ? shape->getAsArray() : nullptr;
    if (!shape) {
      tensorError(name, "missing 'shape'");
      ok = false;
    } else if (!dims || dims->size() > kMaxTensorRank) {
      tensorError(name, dims ? "'shape' has more than " + std::to_string(kMaxTensorRank) +
                                   " dimensions"
                             : std::string("'shape' must be a list of non-negative integers"));
      ok = false;
    } else {
      for (const llvm::json::Value& d : *dims) {
        llvm::Optional<std::uint64_t> n = d.getAsUINT64();
        if (!n) {
          tensorError(name, "'shape' must be a list of non-negative integers");
          ok = elements_ok = false;
          break;
        }
        t.shape.push_back(static_cast<std::int64_t>(
            std::min<std::uint64_t>(*n, std::uint64_t{1} << 62)));
        // Past the file's size the product is wrong anyway: saturate.
        if (*n > kMaxWeightsBytes || __builtin_mul_overflow(elements, *n, &elements) ||
            elements > kMaxWeightsBytes)
          elements = kMaxWeightsBytes + 1;
      }
    }
    const llvm::json::Value* offsets = obj->get("data_offsets");
    const llvm::json::Array* pair = offsets ? offsets->getAsArray() : nullptr;
    llvm::Optional<std::uint64_t> begin, end;
    if (pair && pair->size() == 2) begin = (*pair)[0].getAsUINT64(), end = (*pair)[1].getAsUINT64();
    if (!offsets) {
      tensorError(name, "missing 'data_offsets'");
      ok = false;
    } else if (!begin || !end) {
      tensorError(name, "'data_offsets' must be a list of 2 non-negative integers [begin, end]");
      ok = false;
    } else if (*begin > kMaxWeightsBytes || *end > kMaxWeightsBytes) {
      // (LLVM's JSON parser saturates integers past 2^63: print none.)
      tensorError(name, "'data_offsets' lie beyond " + std::to_string(kMaxWeightsBytes) +
                            " bytes, past the end of any file convgen reads");
      ok = false;
    } else if (*end < *begin) {
      tensorError(name, "'data_offsets' [" + std::to_string(*begin) + ", " +
                            std::to_string(*end) + "] ends before it begins");
      ok = false;
    } else {
      t.begin = *begin;
      t.end = *end;
      if (info && elements_ok) {
        const std::uint64_t want = elements > kMaxWeightsBytes ? 0 : elements * info->bytes;
        if (elements > kMaxWeightsBytes || want != *end - *begin) {
          tensorError(name, "'data_offsets' [" + std::to_string(*begin) + ", " +
                                std::to_string(*end) + "] hold " + std::to_string(*end - *begin) +
                                " bytes, but its shape and dtype " + t.dtype + " need " +
                                (elements > kMaxWeightsBytes ? "more than the file holds"
                                                             : std::to_string(want)));
          ok = false;
        }
      }
    }
    if (!ok) return std::nullopt;
    return t;
  }

 private:
  const std::string& file_;
  std::vector<std::string>* errors_;
};

}  // namespace

const std::vector<SafeDTypeInfo>& safetensorsDTypeTable() {
  static const std::vector<SafeDTypeInfo> kTable = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
  return kTable;
}

std::int64_t SafeTensor::elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;  // bounded by the validated byte size
  return n;
}

const SafeTensor* SafeTensorsFile::find(llvm::StringRef name) const {
  auto it = std::lower_bound(tensors.begin(), tensors.end(), name,
                             [](const SafeTensor& t, llvm::StringRef n) { return t.name < n; });
  return it != tensors.end() && it->name == name ? &*it : nullptr;
}

llvm::StringRef SafeTensorsFile::data(const SafeTensor& t) const {
  return llvm::StringRef(bytes).substr(data_start + t.begin, t.end - t.begin);
}

std::vector<float> SafeTensorsFile::floats(const SafeTensor& t) const {
  const llvm::StringRef raw = data(t);
  std::vector<float> out(raw.size() / 4);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint32_t bits = 0;
    for (int b = 3; b >= 0; --b) bits = (bits << 8) | static_cast<unsigned char>(raw[4 * i + b]);
    std::memcpy(&out[i], &bits, 4);
  }
  return out;
}

std::optional<SafeTensorsFile> parseSafetensors(std::string bytes, std::string display_name,
                                                std::vector<std::string>* errors) {
  HeaderReader r(display_name, errors);
  const std::size_t errors_before = errors->size();
  if (bytes.size() < 8) {
    r.error("the file holds " + std::to_string(bytes.size()) +
            " bytes, fewer than the 8 of the header length: is it a safetensors file?");
    return std::nullopt;
  }
  const std::uint64_t header_length = readLittleEndian64(bytes);
  if (header_length > kMaxSafetensorsHeader) {
    r.error("header length " + std::to_string(header_length) + " exceeds the format's limit of " +
            std::to_string(kMaxSafetensorsHeader) + " bytes: is it a safetensors file?");
    return std::nullopt;
  }
  if (header_length > bytes.size() - 8) {
    r.error("header length " + std::to_string(header_length) + " runs past the end of the file (" +
            std::to_string(bytes.size() - 8) + " bytes follow the length): truncated?");
    return std::nullopt;
  }
  const llvm::StringRef header = llvm::StringRef(bytes).substr(8, header_length);
  const HeaderShape shape = headerShape(header);
  if (shape.deepest > kMaxHeaderNesting) {
    r.error("header nests more than " + std::to_string(kMaxHeaderNesting) + " levels deep");
    return std::nullopt;
  }
  if (shape.values > kMaxHeaderValues) {
    r.error("header holds more than " + std::to_string(kMaxHeaderValues) +
            " JSON values, more than any convgen model has");
    return std::nullopt;
  }
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(header);
  if (!parsed) {
    r.error("header is not valid JSON: " + llvm::toString(parsed.takeError()));
    return std::nullopt;
  }
  const llvm::json::Object* top = parsed->getAsObject();
  if (!top) {
    r.error("header must be a JSON object of tensors");
    return std::nullopt;
  }
  if (std::string dup = duplicateKey(header); !dup.empty()) {
    r.error("header gives key " + quoted(dup) + " more than once");
    return std::nullopt;
  }
  SafeTensorsFile file;
  file.display_name = display_name;
  file.data_start = 8 + header_length;
  const std::uint64_t data_size = bytes.size() - file.data_start;
  // By name, so that messages come in a deterministic order (json::Object
  // is a hash map).
  std::vector<std::string> names;
  for (const auto& entry : *top) names.push_back(entry.first.str());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const llvm::json::Value& value = *top->get(name);
    if (name == "__metadata__") {
      const llvm::json::Object* meta = value.getAsObject();
      bool strings = meta != nullptr;
      if (meta)
        for (const auto& [k, v] : *meta) strings = strings && v.getAsString().hasValue();
      if (!strings) r.error("'__metadata__' must be an object of string values");
      continue;
    }
    if (std::optional<SafeTensor> t = r.tensor(name, value)) file.tensors.push_back(std::move(*t));
  }
  if (errors->size() != errors_before) return std::nullopt;
  // The data section is tiled by the tensors in offset order (the format's
  // rule): each begins where the previous ended, the last ends at the end.
  std::vector<const SafeTensor*> by_offset;
  for (const SafeTensor& t : file.tensors) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](const SafeTensor* a, const SafeTensor* b) {
    return a->begin != b->begin ? a->begin < b->begin
           : a->end != b->end   ? a->end < b->end
                                : a->name < b->name;
  });
  std::uint64_t covered = 0;
  const SafeTensor* previous = nullptr;
  for (const SafeTensor* t : by_offset) {
    const std::string where = "'data_offsets' [" + std::to_string(t->begin) + ", " +
                              std::to_string(t->end) + "]";
    if (t->end > data_size) {
      r.tensorError(t->name, where + " run past the end of the data (" +
                                 std::to_string(data_size) + " bytes): truncated file?");
      return std::nullopt;
    }
    if (t->begin < covered) {
      r.tensorError(t->name, where + " overlap tensor " + quoted(previous->name));
      return std::nullopt;
    }
    if (t->begin > covered) {
      r.tensorError(t->name, where + " leave bytes [" + std::to_string(covered) + ", " +
                                 std::to_string(t->begin) + ") of the data unused");
      return std::nullopt;
    }
    covered = t->end;
    previous = t;
  }
  if (covered != data_size) {
    r.error("the data section holds " + std::to_string(data_size) + " bytes, but its tensors use " +
            std::to_string(covered));
    return std::nullopt;
  }
  std::sort(file.tensors.begin(), file.tensors.end(),
            [](const SafeTensor& a, const SafeTensor& b) { return a.name < b.name; });
  const std::array<std::uint8_t, 32> digest = llvm::SHA256::hash(llvm::ArrayRef<std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  static const char kHex[] = "0123456789abcdef";
  for (std::uint8_t b : digest) file.sha256 += kHex[b >> 4], file.sha256 += kHex[b & 15];
  file.bytes = std::move(bytes);
  return file;
}

std::optional<SafeTensorsFile> readSafetensorsFile(llvm::StringRef path,
                                                   std::string display_name,
                                                   std::vector<std::string>* errors) {
  std::string bytes, error;
  if (!readRegularFile(path, kMaxWeightsBytes, "weights file", &bytes, &error)) {
    errors->push_back("cannot read weights file '" + excerpt(display_name) + "': " + error);
    return std::nullopt;
  }
  return parseSafetensors(std::move(bytes), std::move(display_name), errors);
}

}  // namespace convgen
