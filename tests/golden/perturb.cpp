// Test helper for tests/golden: writes a copy of a file with one fault in it.
//   perturb scale IN.safetensors OUT.safetensors TENSOR INDEX FACTOR
//       the F32 tensor's element INDEX multiplied by FACTOR (the file read
//       and located with convgen's own safetensors reader)
//   perturb truncate IN OUT BYTES
//       the first BYTES bytes of IN
// Exit 0 on success, 1 with a message otherwise.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "convgen/safetensors.h"

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "perturb: %s\n", why.c_str());
  return 1;
}

bool readAll(const char* path, std::string& out) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return true;
}

bool writeAll(const char* path, const std::string& bytes) {
  std::FILE* f = std::fopen(path, "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  std::string bytes;
  if (mode == "truncate" && argc == 5) {
    if (!readAll(argv[2], bytes)) return fail(std::string("cannot read ") + argv[2]);
    const std::size_t keep = std::strtoull(argv[4], nullptr, 10);
    if (keep >= bytes.size()) return fail("nothing to truncate");
    return writeAll(argv[3], bytes.substr(0, keep)) ? 0 : fail("cannot write");
  }
  if (mode != "scale" || argc != 7)
    return fail("usage: perturb scale IN OUT TENSOR INDEX FACTOR | perturb truncate IN OUT BYTES");
  std::vector<std::string> errors;
  const std::optional<convgen::SafeTensorsFile> file =
      convgen::readSafetensorsFile(argv[2], argv[2], &errors);
  if (!file) return fail(errors.empty() ? "unreadable" : errors.front());
  const convgen::SafeTensor* t = file->find(argv[4]);
  if (!t || t->dtype != "F32") return fail(std::string("no F32 tensor ") + argv[4]);
  const std::size_t index = std::strtoull(argv[5], nullptr, 10);
  if (index >= static_cast<std::size_t>(t->elements())) return fail("index out of range");
  bytes = file->bytes;
  const std::size_t at = file->data_start + t->begin + 4 * index;
  float v = 0;
  std::memcpy(&v, bytes.data() + at, 4);  // little-endian hosts, as the tests run on
  v *= static_cast<float>(std::strtod(argv[6], nullptr));
  std::memcpy(&bytes[at], &v, 4);
  return writeAll(argv[3], bytes) ? 0 : fail("cannot write");
}
