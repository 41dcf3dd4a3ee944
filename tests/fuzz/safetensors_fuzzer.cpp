// libFuzzer target: the safetensors reader (convgen/safetensors.h) on any
// bytes. The first byte chooses how the rest is read: even, the rest is the
// file as is; odd, the rest is "HEADER\nDATA" and the file is built around
// it with the right 8-byte length, so that the fuzzer explores the JSON
// header rather than length prefixes. Text seeds (seeds/*.safetensors.txt)
// start with '1' for that reason. Besides the sanitizers, it checks the
// reader's promises: rejected exactly when it says why (each message naming
// the file); an accepted file's tensors sorted by unique name, each inside
// the file with shape x dtype bytes, tiling the data section in offset order.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "convgen/safetensors.h"

namespace {

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "safetensors_fuzzer: broken promise: %s\n", promise);
  std::abort();
}

std::string fileOf(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return "";
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) return rest;
  const std::size_t split = rest.find('\n');  // text seeds stay text
  const std::string header = rest.substr(0, split);
  const std::string payload = split == std::string::npos ? "" : rest.substr(split + 1);
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((std::uint64_t{header.size()} >> (8 * i)) & 0xff);
  return out + header + payload;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = fileOf(data, size);
  std::vector<std::string> errors;
  const auto file = convgen::parseSafetensors(bytes, "fuzz.safetensors", &errors);
  if (file.has_value() == !errors.empty()) broken("accepted exactly when no error is reported");
  for (const std::string& e : errors)
    if (e.rfind("weights file 'fuzz.safetensors': ", 0) != 0) broken("every message names the file");
  if (!file) return 0;
  if (file->bytes != bytes || file->data_start < 8 || file->data_start > bytes.size())
    broken("the data section lies in the file");
  const std::uint64_t data_size = bytes.size() - file->data_start;
  std::vector<const convgen::SafeTensor*> by_offset;
  for (std::size_t i = 0; i < file->tensors.size(); ++i) {
    const convgen::SafeTensor& t = file->tensors[i];
    if (i > 0 && !(file->tensors[i - 1].name < t.name)) broken("tensors sorted by unique name");
    if (file->find(t.name) != &t) broken("find() finds every tensor");
    if (t.name == "__metadata__") broken("__metadata__ is not a tensor");
    if (t.begin > t.end || t.end > data_size) broken("every tensor inside the data");
    unsigned width = 0;
    for (const convgen::SafeDTypeInfo& d : convgen::safetensorsDTypeTable())
      if (d.name == t.dtype) width = d.bytes;
    if (width == 0) broken("every dtype is the format's");
    if (static_cast<std::uint64_t>(t.elements()) * width != t.end - t.begin)
      broken("shape x dtype bytes");
    if (file->data(t).size() != t.end - t.begin) broken("data() is the tensor's bytes");
    if (t.dtype == "F32" && file->floats(t).size() != static_cast<std::size_t>(t.elements()))
      broken("floats() decodes every element");
    by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const convgen::SafeTensor* a, const convgen::SafeTensor* b) {
              return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
            });
  std::uint64_t covered = 0;
  for (const convgen::SafeTensor* t : by_offset) {
    if (t->begin != covered) broken("tensors tile the data: no overlap, no gap");
    covered = t->end;
  }
  if (covered != data_size) broken("tensors tile the whole data section");
  return 0;
}
