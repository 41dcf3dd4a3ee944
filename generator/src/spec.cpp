#include "convgen/spec.h"

namespace convgen {

std::string_view toString(PaddingMode m) {
  switch (m) {
    case PaddingMode::Zeros:
      return "zeros";
    case PaddingMode::Reflect:
      return "reflect";
    case PaddingMode::Replicate:
      return "replicate";
    case PaddingMode::Circular:
      return "circular";
  }
  return "?";
}

std::string_view toString(DType t) {
  switch (t) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int32:
      return "int32";
    case DType::Int64:
      return "int64";
  }
  return "?";
}

std::string_view toString(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return "scalar";
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
    case Isa::Neon:
      return "neon";
  }
  return "?";
}

std::string_view toString(PaddingKind k) {
  switch (k) {
    case PaddingKind::Explicit:
      return "explicit";
    case PaddingKind::Same:
      return "same";
    case PaddingKind::Valid:
      return "valid";
  }
  return "?";
}

Isa hostIsa() {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#elif defined(__aarch64__)
  return Isa::Neon;  // Advanced SIMD is part of every AArch64 core
#endif
  return Isa::Scalar;
}

std::optional<Isa> parseIsaName(std::string_view name) {
  if (name == "native") return hostIsa();
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon})
    if (toString(isa) == name) return isa;
  return std::nullopt;
}

std::string_view cppType(DType t) {
  switch (t) {
    case DType::Float32:
      return "float";
    case DType::Float64:
      return "double";
    case DType::Int32:
      return "std::int32_t";
    case DType::Int64:
      return "std::int64_t";
  }
  return "?";
}

std::string_view torchTypeName(DType t) {
  switch (t) {
    case DType::Float32:
      return "Float";
    case DType::Float64:
      return "Double";
    case DType::Int32:
      return "Int";
    case DType::Int64:
      return "Long";
  }
  return "?";
}

}  // namespace convgen
