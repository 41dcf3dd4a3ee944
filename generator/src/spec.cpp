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
