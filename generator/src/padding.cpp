#include "convgen/padding.h"

namespace convgen {

std::int64_t sourceIndex(PaddingMode mode, std::int64_t pos, std::int64_t size) {
  if (pos >= 0 && pos < size) return pos;
  switch (mode) {
    case PaddingMode::Zeros:
      return -1;
    case PaddingMode::Reflect:  // mirror about the edge, the edge itself not repeated
      return pos < 0 ? -pos : 2 * (size - 1) - pos;
    case PaddingMode::Replicate:  // the edge value repeated
      return pos < 0 ? 0 : size - 1;
    case PaddingMode::Circular:  // wrap around
      return pos < 0 ? pos + size : pos - size;
  }
  return -1;
}

}  // namespace convgen
