// Stage 1 of reading a config: the YAML structure and the type of every
// value, each value kept with its location. The keys, their kinds and which
// are required come from config_keys.h; the walk and its bounds are
// yaml_walker.cpp's, the value readers yaml_values.cpp's.
#include "convgen/config.h"
#include "convgen/config_keys.h"
#include "convgen/internal_error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "weights_config.h"
#include "yaml_walker.h"

namespace convgen {
namespace {

using detail::isBlankOrBreak;
using detail::Value;
using detail::YamlWalker;
namespace yaml = llvm::yaml;

// The most ',' in one run that LLVM's scanner could turn into consecutive
// flow-entry tokens. Between two such tokens the scanner skips only blanks,
// line breaks and comments, so a run here is commas separated by those. It
// over-counts on purpose: once inside a run, a '#' is taken as a comment to
// the end of the line whose commas count too (the '#' could be inside a
// quoted string that closes on that line, before more real commas), and
// commas inside strings and plain scalars count like any others. Sets *at
// to the first comma of the longest run.
std::size_t longestCommaRun(llvm::StringRef text, const char** at) {
  std::size_t best = 0, run = 0;
  const char* run_start = nullptr;
  bool in_comment = false;
  for (const char& c : text) {
    if (c == '\n' || c == '\r') {
      in_comment = false;
    } else if (c == ',') {
      if (run++ == 0) run_start = &c;
      if (run > best) best = run, *at = run_start;
    } else if (in_comment || c == ' ' || c == '\t') {
      // inside the run
    } else if (c == '#' && run > 0) {
      in_comment = true;
    } else {
      run = 0;
    }
  }
  return best;
}

// How many lines start with "..." followed by a blank, a line break or the
// end: every document-end marker LLVM's scanner can see (at column 0, which
// may follow a byte-order mark of up to 4 bytes), and some it would not
// (inside a block scalar or a string): an over-count.
std::size_t documentEndMarkers(llvm::StringRef text) {
  auto marker_at = [&](std::size_t i) {
    return text.substr(i).startswith("...") &&
           (i + 3 == text.size() || isBlankOrBreak(text[i + 3]));
  };
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool line_start = i <= 4 || text[i - 1] == '\n' || text[i - 1] == '\r';
    if (line_start && marker_at(i)) ++count;
  }
  return count;
}

// The config's keys, read by their kind into RawConfig/RawLayer.
class ConfigReader {
 public:
  explicit ConfigReader(YamlWalker& w) : w_(w) {}

  // Walks the top-level node, which is at nesting level 1.
  void readTop(yaml::Node* root, RawConfig& cfg) {
    w_.check(root);
    auto* map = llvm::dyn_cast<yaml::MappingNode>(root);
    if (!map) {
      w_.report(w_.locate(root),
                "expected a mapping with 'namespace' and 'layers' at the top level");
      w_.consume(root, 1);
      return;
    }
    cfg.loc = w_.locate(map);
    w_.walkMapping(*map, 1, KeyScope::Top, cfg.loc, [&](const ConfigKey& key, const Value& v) {
      switch (key.id) {
        case KeyId::Namespace:
          return read(key, v, cfg.cpp_namespace);
        case KeyId::TopIsa:
          return read(key, v, cfg.isa);
        case KeyId::Weights:
          return read(key, v, cfg.weights);
        case KeyId::Layers:
          cfg.layers_present = true;
          return readLayers(v, cfg);
        case KeyId::TopBackward:
          return read(key, v, cfg.backward);
        case KeyId::Network:
          return read(key, v, cfg.network);
        default:
          CONVGEN_CHECK(false, "a top-level key without a field");
      }
    });
  }

 private:
  void read(const ConfigKey& key, const Value& v, Located<std::string>& out) {
    CONVGEN_CHECK(key.kind == ValueKind::String || key.kind == ValueKind::Word,
                  "a string field for a non-string key");
    out = w_.readString(v, llvm::StringRef(key.name.data(), key.name.size()));
  }
  void read(const ConfigKey& key, const Value& v, Located<std::int64_t>& out) {
    CONVGEN_CHECK(key.kind == ValueKind::Int, "an integer field for a non-integer key");
    out = w_.readInt(v, llvm::StringRef(key.name.data(), key.name.size()));
  }
  void read(const ConfigKey& key, const Value& v, Located<bool>& out) {
    CONVGEN_CHECK(key.kind == ValueKind::Bool, "a bool field for a non-bool key");
    out = w_.readBool(v, llvm::StringRef(key.name.data(), key.name.size()));
  }
  void read(const ConfigKey& key, const Value& v, Located<BackwardMode>& out) {
    CONVGEN_CHECK(key.kind == ValueKind::Backward, "a backward field for another key");
    out = w_.readBackward(v, llvm::StringRef(key.name.data(), key.name.size()));
  }
  void read(const ConfigKey& key, const Value& v, RawInts& out) {
    CONVGEN_CHECK(key.kind == ValueKind::IntList || key.kind == ValueKind::IntOrPair,
                  "an integer-list field for another key");
    out = w_.readInts(v, llvm::StringRef(key.name.data(), key.name.size()),
                      /*scalar_ok=*/key.kind == ValueKind::IntOrPair);
  }
  void read(const ConfigKey& key, const Value& v, RawPadding& out) {
    CONVGEN_CHECK(key.kind == ValueKind::Padding, "a padding field for another key");
    out = w_.readPadding(v);
  }

  void readLayers(const Value& v, RawConfig& cfg) {
    auto* seq = llvm::dyn_cast<yaml::SequenceNode>(v.node);
    if (!seq) {
      w_.report(v.loc, "'layers' must be a list of layer mappings");
      w_.consume(v.node, v.level);
      return;
    }
    std::size_t layer_errors = 0;
    for (yaml::Node& item : *seq) {
      if (cfg.layers.size() + layer_errors >= kMaxLayers) {
        if (cfg.layers.size() + layer_errors == kMaxLayers)
          w_.report(w_.itemLoc(&item), "config has more than " + llvm::Twine(kMaxLayers) +
                                           " layers, the most convgen supports");
        ++layer_errors;  // read past, keep nothing
        w_.consume(&item, v.level + 1);
        if (w_.aborted()) return;
        continue;
      }
      w_.check(&item);
      auto* map = llvm::dyn_cast<yaml::MappingNode>(&item);
      if (!map) {
        w_.report(w_.itemLoc(&item), "each layer must be a mapping of Conv2d arguments");
        ++layer_errors;
        w_.consume(&item, v.level + 1);
      } else {
        RawLayer layer;
        layer.loc = w_.locate(map);
        readLayer(*map, v.level + 1, layer);
        cfg.layers.push_back(std::move(layer));
      }
      if (w_.aborted()) return;
    }
    if (cfg.layers.empty() && layer_errors == 0)
      w_.report(v.loc, "'layers' is empty: a config needs at least one layer");
  }

  void readLayer(yaml::MappingNode& map, int level, RawLayer& l) {
    std::vector<std::pair<const ConfigKey*, llvm::SMLoc>> given;
    w_.walkMapping(map, level, KeyScope::Layer, l.loc, [&](const ConfigKey& key, const Value& v) {
      given.emplace_back(&key, v.key_loc);
      switch (key.id) {
        case KeyId::Name:
          return read(key, v, l.name);
        case KeyId::InputShape:
          return read(key, v, l.input_shape);
        case KeyId::InChannels:
          return read(key, v, l.in_channels);
        case KeyId::OutChannels:
          return read(key, v, l.out_channels);
        case KeyId::KernelSize:
          return read(key, v, l.kernel_size);
        case KeyId::Stride:
          return read(key, v, l.stride);
        case KeyId::Padding:
          return read(key, v, l.padding);
        case KeyId::Dilation:
          return read(key, v, l.dilation);
        case KeyId::Groups:
          return read(key, v, l.groups);
        case KeyId::Bias:
          return read(key, v, l.bias);
        case KeyId::PaddingMode:
          return read(key, v, l.padding_mode);
        case KeyId::DType:
          return read(key, v, l.dtype);
        case KeyId::Isa:
          return read(key, v, l.isa);
        case KeyId::Device:
          return readDevice(key, v);
        case KeyId::WeightsPrefix:
          return read(key, v, l.weights_prefix);
        case KeyId::BatchNorm:
          return detail::readBatchNorm(w_, v, l.batch_norm);
        case KeyId::Op:
          return read(key, v, l.op_word);
        case KeyId::CeilMode:
          return read(key, v, l.ceil_mode);
        case KeyId::ReturnIndices:
          return read(key, v, l.return_indices);
        case KeyId::CountIncludePad:
          return read(key, v, l.count_include_pad);
        case KeyId::DivisorOverride:
          return read(key, v, l.divisor_override);
        case KeyId::OutputSize:
          return read(key, v, l.output_size);
        case KeyId::InFeatures:
          return read(key, v, l.in_features);
        case KeyId::OutFeatures:
          return read(key, v, l.out_features);
        case KeyId::Activation:
          l.activation = detail::readActivation(w_, v);
          return;
        case KeyId::Residual:
          return read(key, v, l.residual);
        case KeyId::Input:
          return read(key, v, l.input);
        case KeyId::Backward:
          return read(key, v, l.backward);
        case KeyId::OutputPadding:
          return read(key, v, l.output_padding);
        default:
          CONVGEN_CHECK(false, "a layer key without a field");
      }
    }, /*check_required=*/false);
    if (!w_.aborted()) checkOpKeys(l, given);
  }

  // The keys of the layer's `op` (config_keys.h opKeyTable): each given key
  // one the op takes, each key it requires given.
  void checkOpKeys(RawLayer& l,
                   const std::vector<std::pair<const ConfigKey*, llvm::SMLoc>>& given) {
    if (l.op_word.present) {
      std::optional<Op> op = l.op_word.ok ? parseOp(l.op_word.value) : std::nullopt;
      if (!op) {
        if (l.op_word.ok)
          w_.report(l.op_word.loc, "op must be one of {" + opList("'") + "}, but got op='" +
                                       excerpt(l.op_word.value) + "'");
        l.op_ok = false;
        return;
      }
      l.op = *op;
    }
    for (const auto& [key, loc] : given) {
      if (opTakes(l.op, key->id)) continue;
      std::string takes;
      for (const std::vector<KeyId>* keys : {&opKeys(l.op).required, &opKeys(l.op).optional})
        for (KeyId k : *keys)
          if (!isCommonKey(k))
            for (const ConfigKey& row : configKeys())
              if (row.scope == KeyScope::Layer && row.id == k)
                takes += (takes.empty() ? "" : ", ") + std::string(row.name);
      w_.report(loc, "'" + llvm::StringRef(key->name.data(), key->name.size()) +
                         "' is not an argument of " + llvm::StringRef(toString(l.op).data(),
                                                                      toString(l.op).size()) +
                         " (it takes " + takes + ")");
    }
    for (KeyId k : opKeys(l.op).required) {
      // A network's layers after the first may leave it out: validation
      // (withInputShape) decides, once it knows whether this is a network.
      if (k == KeyId::InputShape) continue;
      bool found = false;
      for (const auto& [key, loc] : given) found = found || key->id == k;
      if (found) continue;
      for (const ConfigKey& row : configKeys())
        if (row.scope == KeyScope::Layer && row.id == k)
          w_.report(l.loc, "missing required key '" +
                               llvm::StringRef(row.name.data(), row.name.size()) + "'");
    }
  }

  // A key every op takes (name, input_shape, dtype, ...).
  static bool isCommonKey(KeyId k) {
    for (const OpKeys& row : opKeyTable())
      if (!opTakes(row.op, k)) return false;
    return true;
  }

  // nn.Conv2d's `device` is accepted for fidelity; only the CPU exists here.
  void readDevice(const ConfigKey& key, const Value& v) {
    Located<std::string> d;
    read(key, v, d);
    if (d.usable() && d.value != key.default_value)
      w_.report(d.loc,
                "device '" + excerpt(d.value) + "' is not supported: convgen generates CPU code");
  }

  YamlWalker& w_;
};

}  // namespace

std::optional<RawConfig> parseConfig(llvm::SourceMgr& sm, unsigned buffer_id, Diagnostics& diags) {
  const llvm::MemoryBuffer& buffer = *sm.getMemoryBuffer(buffer_id);
  const llvm::StringRef text = buffer.getBuffer();
  const llvm::SMLoc start = llvm::SMLoc::getFromPointer(text.begin());
  if (text.size() > kMaxConfigBytes) {
    diags.error(start, "config file is too large (" + llvm::Twine(text.size()) +
                           " bytes; the limit is " + llvm::Twine(kMaxConfigBytes) + ")");
    return std::nullopt;
  }
  if (text.find('\0') != llvm::StringRef::npos) {
    diags.error(llvm::SMLoc::getFromPointer(text.begin() + text.find('\0')),
                "config file contains a NUL byte; is it a text file?");
    return std::nullopt;
  }
  const char* run_at = nullptr;
  if (longestCommaRun(text, &run_at) > kMaxCommaRun) {
    diags.error(llvm::SMLoc::getFromPointer(run_at),
                "config has more than " + llvm::Twine(kMaxCommaRun) +
                    " ',' in a row with no value between them");
    return std::nullopt;
  }
  if (documentEndMarkers(text) > kMaxDocumentEndMarkers) {
    diags.error(start, "config has more than " + llvm::Twine(kMaxDocumentEndMarkers) +
                           " '...' document end markers");
    return std::nullopt;
  }

  RawConfig cfg;
  cfg.config_name = llvm::sys::path::filename(buffer.getBufferIdentifier()).str();
  cfg.loc = start;
  const std::size_t errors_before = diags.errorCount();
  yaml::Stream stream(buffer.getMemBufferRef(), sm, /*ShowColors=*/false);
  auto doc = stream.begin();
  yaml::Node* root = doc == stream.end() ? nullptr : doc->getRoot();
  if (!root || llvm::isa<yaml::NullNode>(root)) {
    if (diags.errorCount() == errors_before)
      diags.error(start, "config is empty: expected a mapping with 'namespace' and 'layers'");
    return std::nullopt;
  }
  // The walk's own diagnostics wait until the parse is known to be clean:
  // after a syntax error they would only be noise.
  YamlWalker walker(text, sm);
  ConfigReader(walker).readTop(root, cfg);
  if (walker.aborted()) {
    // The walk stopped part-way, so nothing may touch the stream again.
    diags.error(walker.tooDeepAt(),
                "config nests more than " + llvm::Twine(kMaxNesting) + " levels deep");
    return std::nullopt;
  }
  if (!stream.failed()) {
    ++doc;  // the root is read to its end, so LLVM's skip() returns at once
    if (doc != stream.end() && !stream.failed())
      if (yaml::Node* second = doc->getRoot(); second && !stream.failed())
        walker.report(walker.locate(second),
                      "a config holds one YAML document; found a second one");
  }
  if (stream.failed()) return std::nullopt;  // only the syntax error is reported
  for (const YamlWalker::Pending& p : walker.diagnostics()) diags.error(p.loc, p.message);
  diags.countUnstored(walker.unstored());
  return cfg;
}

std::optional<ModelSpec> loadConfig(llvm::SourceMgr& sm, unsigned buffer_id, Diagnostics& diags) {
  std::optional<RawConfig> raw = parseConfig(sm, buffer_id, diags);
  if (!raw) return std::nullopt;
  return validateConfig(*raw, diags);
}

}  // namespace convgen
