// The fused epilogue: residual add and activation on registers before the
// store, in PyTorch's formulas and operation order (docs/semantics.md
// section 14):
//
//   clamp(x, lo, hi)  x < lo ? lo : x, then x > hi ? hi : x  (std::max, then
//                     std::min, as PyTorch's CPU kernel; NaN stays NaN, -0 stays -0,
//                     lo > hi gives hi everywhere). relu = clamp(x, 0), relu6 = clamp(x, 0, 6).
//   leaky_relu(x)     x > 0 ? x : x * negative_slope
//   hardswish(x)      x * clamp(x + 3, 0, 6) / 6, rounded after each operation
//
// Adding an activation: a row of activationTable() (spec.cpp), its
// parameters in validate_epilogue.cpp, and one case in each of scalarCode()
// and vectorCode() below (and in the reference, runtime/src/reference_epilogue.cpp).
#include "emit_epilogue.h"

#include <cstdio>
#include <cstdlib>

#include "convgen/internal_error.h"

namespace convgen::detail {
namespace {

// A constant of the layer's type, rounded as PyTorch's Scalar::to<T>() does
// (double to float: to nearest). Values are finite (validated).
std::string literal(DType t, double v) {
  char text[48];
  if (!isFloat(t)) {
    std::snprintf(text, sizeof text, "T(%lld)", static_cast<long long>(v));
    return text;
  }
  if (t == DType::Float32)
    std::snprintf(text, sizeof text, "%.9g", static_cast<double>(static_cast<float>(v)));
  else
    std::snprintf(text, sizeof text, "%.17g", v);
  std::string s = text;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return t == DType::Float32 ? s + "f" : s;
}

void scalarCode(Code& c, const LayerSpec& l) {
  const Epilogue& e = l.epilogue;
  const DType t = l.dtype;
  switch (e.activation) {
    case Activation::None:
      return;
    case Activation::Relu:
    case Activation::Relu6:
    case Activation::Clamp:
      if (e.has_min)
        c.line("v = v < " + literal(t, e.min) + " ? " + literal(t, e.min) + " : v;");
      if (e.has_max)
        c.line("v = v > " + literal(t, e.max) + " ? " + literal(t, e.max) + " : v;");
      c.line("return v;");
      break;
    case Activation::LeakyRelu:
      c.line("return v > " + literal(t, 0) + " ? v : v * " + literal(t, e.negative_slope) + ";");
      break;
    case Activation::Hardswish:
      c.line("T t = v + " + literal(t, 3) + ";");
      c.line("t = t < " + literal(t, 0) + " ? " + literal(t, 0) + " : t;");
      c.line("t = t > " + literal(t, 6) + " ? " + literal(t, 6) + " : t;");
      c.line("return v * t / " + literal(t, 6) + ";");
      break;
  }
}

// x < lo ? lo : x, and x > hi ? hi : x, as vector expressions.
std::string lowerBound(const VectorBackend& isa, const std::string& x, const std::string& lo) {
  return isa.isa().caps.ordered_max_min ? isa.max(lo, x) : isa.select(isa.less(x, lo), lo, x);
}
std::string upperBound(const VectorBackend& isa, const std::string& x, const std::string& hi) {
  return isa.isa().caps.ordered_max_min ? isa.min(hi, x) : isa.select(isa.less(hi, x), hi, x);
}

void vectorCode(Code& c, const VectorBackend& isa, const LayerSpec& l) {
  const Epilogue& e = l.epilogue;
  auto k = [&](double v) { return isa.set1(literal(l.dtype, v)); };
  switch (e.activation) {
    case Activation::None:
      return;
    case Activation::Relu:
    case Activation::Relu6:
    case Activation::Clamp:
      if (e.has_min) c.line("e = " + lowerBound(isa, "e", k(e.min)) + ";");
      if (e.has_max) c.line("e = " + upperBound(isa, "e", k(e.max)) + ";");
      return;
    case Activation::LeakyRelu:
      c.line("e = " + isa.select(isa.less(isa.zero(), "e"), "e", isa.mul("e", k(e.negative_slope))) +
             ";");
      return;
    case Activation::Hardswish:
      c.line(isa.type() + " t = " + isa.add("e", k(3)) + ";");
      c.line("t = " + lowerBound(isa, "t", isa.zero()) + ";");
      c.line("t = " + upperBound(isa, "t", k(6)) + ";");
      c.line("e = " + isa.div(isa.mul("e", "t"), k(6)) + ";");
      return;
  }
}

// The shortest of %.15g..%.17g that reads back as v (so 0.01, not
// 0.010000000000000000208).
std::string number(double v) {
  char text[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v) break;
  }
  return text;
}

}  // namespace

std::string residualParam(const LayerSpec& l, const std::string& decl) {
  return l.epilogue.hasResidual() ? ", " + decl : "";
}
std::string residualArg(const LayerSpec& l, const std::string& expr) {
  return l.epilogue.hasResidual() ? ", " + expr : "";
}
void residualLine(Code& c, const LayerSpec& l, const std::string& text) {
  if (l.epilogue.hasResidual()) c.line(text);
}

std::string scalarStore(const LayerSpec& l, const std::string& y, const std::string& acc,
                        const std::string& r) {
  std::string value = "T(" + acc + ")";
  if (l.epilogue.hasResidual())
    value = isFloat(l.dtype) ? value + " + " + r : "T(" + acc + " + Acc(" + r + "))";
  if (l.epilogue.activation != Activation::None) value = "activate(" + value + ")";
  return y + " = " + value + ";";
}

void vectorStore(Code& c, const VectorBackend& isa, const LayerSpec& l, const std::string& y_at,
                 const std::string& r_at, const std::string& acc, std::int64_t valid) {
  const std::int64_t lanes = isa.lanes();
  CONVGEN_CHECK(valid >= 1 && valid <= lanes, "a vector store of no lane or too many");
  auto store = [&](const std::string& v) {
    return (valid < lanes ? isa.storeFirst(y_at, v, valid) : isa.store(y_at, v)) + ";";
  };
  if (!l.epilogue.any()) {
    c.line(store(acc));
    return;
  }
  CONVGEN_CHECK(l.dtype == DType::Float32, "vector code for a layer that is not float32");
  c.line("{");
  c.indent(1);
  if (l.epilogue.hasResidual()) {
    std::vector<bool> live(lanes);
    for (std::int64_t j = 0; j < lanes; ++j) live[j] = j < valid;
    const std::string r = valid < lanes ? isa.maskedLoad(r_at, live) : isa.load(r_at);
    c.line(isa.type() + " e = " + isa.add(acc, r) + ";  // + residual");
  } else {
    c.line(isa.type() + " e = " + acc + ";");
  }
  vectorCode(c, isa, l);
  c.line(store("e"));
  c.indent(-1);
  c.line("}");
}

std::string activationFunction(const LayerSpec& l) {
  if (l.epilogue.activation == Activation::None) return "";
  Code c;
  c.line("// The fused activation (" + epilogueSummary(l) +
         "), in PyTorch's operation order (docs/semantics.md section 14).");
  c.open("inline T activate(T v) noexcept");
  scalarCode(c, l);
  c.close();
  return c.text();
}

std::string epilogueStruct() {
  return R"(

#ifndef CONVGEN_GENERATED_EPILOGUE_V1
#define CONVGEN_GENERATED_EPILOGUE_V1
namespace convgen::generated {
inline namespace epilogue_v1 {
// A layer's fused epilogue (docs/semantics.md section 14), declared as
// `epilogue` by layers that have one: output = activation(conv2d + bias +
// residual). relu is clamp(min=0), relu6 clamp(min=0, max=6).
struct Epilogue {
  const char* activation;  // "none", "relu", "relu6", "leaky_relu", "clamp", "hardswish"
  double negative_slope;   // leaky_relu's
  bool has_min, has_max;   // clamp's bounds (relu, relu6 included)
  double min, max;
  const char* residual;  // the layer whose output forward() adds, or ""
};
}  // namespace epilogue_v1
}  // namespace convgen::generated
#endif  // CONVGEN_GENERATED_EPILOGUE_V1)";
}

std::string epilogueDeclaration(const LayerSpec& l) {
  const Epilogue& e = l.epilogue;
  if (!e.any()) return "";
  return "\ninline constexpr ::convgen::generated::Epilogue epilogue = {\"" +
         std::string(toString(e.activation)) + "\", " + number(e.negative_slope) + ", " +
         (e.has_min ? "true" : "false") + ", " + (e.has_max ? "true" : "false") + ", " +
         number(e.min) + ", " + number(e.max) + ", \"" + e.residual + "\"};";
}

std::string epilogueNote(const LayerSpec& l) {
  const Epilogue& e = l.epilogue;
  if (!e.any()) return "";
  std::string note = "\n// Fused before the store: output = " + epilogueSummary(l) + ".";
  if (e.hasResidual())
    note += "\n// `residual` is layer " + e.residual +
            "'s output (this layer's output shape), added after the bias.";
  return note;
}

std::string epilogueSummary(const LayerSpec& l) {
  const Epilogue& e = l.epilogue;
  if (!e.any()) return "";
  std::string x = "conv + bias";
  if (!l.bias) x = "conv";
  if (e.hasResidual()) x += " + " + e.residual;
  switch (e.activation) {
    case Activation::None:
      return x;
    case Activation::LeakyRelu:
      return "leaky_relu(" + x + ", negative_slope=" + number(e.negative_slope) + ")";
    case Activation::Clamp:
      return "clamp(" + x + (e.has_min ? ", min=" + number(e.min) : "") +
             (e.has_max ? ", max=" + number(e.max) : "") + ")";
    default:
      return std::string(toString(e.activation)) + "(" + x + ")";
  }
}

}  // namespace convgen::detail
