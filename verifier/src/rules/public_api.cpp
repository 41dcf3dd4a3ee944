// public-api: per layer namespace, value_type, constexpr
// std::array<std::int64_t, R> input_shape/weight_shape/output_shape, info
// (whose `isa`, when the struct has that field, names an ISA of isa.h),
// forward(const T*, const T*, const T*, T*) noexcept, and the extern "C"
// <ns>_<layer>_forward with the same parameters. Where a layer has
// gradients (backward_input declared), backward_input(const T*, const T*,
// T*), backward_weight(const T*, const T*, T*) and, exactly when bias_shape
// is not {0}, backward_bias(const T*, T*), each noexcept with its extern "C"
// twin; a layer generated with `backward: only` has these instead of forward.
#include <map>
#include <optional>

#include "clang/AST/DeclTemplate.h"
#include "llvm/Support/Path.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;

bool isHeaderPath(llvm::StringRef path) {
  const llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".h" || ext == ".hh" || ext == ".hpp" || ext == ".hxx";
}

class PublicApi : public Rule {
 public:
  using Rule::Rule;

 private:
  bool isSigned64(QualType t) const {
    t = t.getCanonicalType();
    return t->isIntegerType() && t->isSignedIntegerType() && !t->isEnumeralType() &&
           !t->isAnyCharacterType() && s_.ctx().getTypeSize(t) == 64;
  }

  // N if `t` is std::array<std::int64_t, N>.
  std::optional<std::uint64_t> int64ArraySize(QualType t) const {
    const auto* spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
        t.getCanonicalType()->getAsCXXRecordDecl());
    if (!spec || !spec->isInStdNamespace() || spec->getName() != "array") return std::nullopt;
    const TemplateArgumentList& args = spec->getTemplateArgs();
    if (args.size() != 2 || args[0].getKind() != TemplateArgument::Type ||
        args[1].getKind() != TemplateArgument::Integral || !isSigned64(args[0].getAsType()))
      return std::nullopt;
    return args[1].getAsIntegral().getZExtValue();
  }

  // The elements of a constexpr std::array constant, if Clang can evaluate it.
  std::optional<std::vector<std::int64_t>> arrayValues(VarDecl* v) const {
    const APValue* value = v->evaluateValue();
    if (!value || !value->isStruct() || value->getStructNumFields() != 1) return std::nullopt;
    const APValue& elems = value->getStructField(0);
    if (!elems.isArray()) return std::nullopt;
    std::vector<std::int64_t> out;
    for (unsigned i = 0; i < elems.getArraySize(); ++i) {
      const APValue& e = i < elems.getArrayInitializedElts() ? elems.getArrayInitializedElt(i)
                                                             : elems.getArrayFiller();
      if (!e.isInt()) return std::nullopt;
      out.push_back(e.getInt().getSExtValue());
    }
    return out;
  }

  // Checks the pieces of the layer API in namespace `ns`; problems are
  // reported at `where`. `in_cpp`: the file is a .cpp that defines the
  // layer's forward, so the extern "C" entry must be defined here too.
  void checkLayer(const NamespaceDecl* ns, SourceLocation where, bool in_cpp) {
    const std::string layer = s_.name(ns);
    s_.result().layers.push_back(layer);
    auto problem = [&](const llvm::Twine& text) {
      report(where, "layer '" + layer + "': " + text);
    };

    // A pooling layer (PoolInfo): no weights, forward(const T*, T*).
    const auto* info_var = dyn_cast_or_null<VarDecl>(s_.lookupOne(ns, "info"));
    const CXXRecordDecl* info_record = info_var ? info_var->getType()->getAsCXXRecordDecl() : nullptr;
    const bool pool = info_record && s_.name(info_record) == "convgen::generated::PoolInfo";

    QualType value_type;
    if (const auto* alias = dyn_cast_or_null<TypedefNameDecl>(s_.lookupOne(ns, "value_type"))) {
      value_type = alias->getUnderlyingType().getCanonicalType();
      const bool ok = value_type->isSpecificBuiltinType(BuiltinType::Float) ||
                      value_type->isSpecificBuiltinType(BuiltinType::Double) ||
                      (value_type->isSignedIntegerType() && !value_type->isAnyCharacterType() &&
                       (s_.ctx().getTypeSize(value_type) == 32 || isSigned64(value_type)));
      if (!ok)
        problem("value_type is '" + s_.typeName(value_type) +
                "', not float, double, std::int32_t or std::int64_t");
    } else {
      problem("no 'using value_type = ...;'");
    }

    std::map<std::string, std::vector<std::int64_t>> shapes;
    std::map<std::string, std::uint64_t> ranks;
    for (const char* shape : {"input_shape", "weight_shape", "output_shape"}) {
      if (pool && llvm::StringRef(shape) == "weight_shape") continue;
      auto* v = dyn_cast_or_null<VarDecl>(s_.lookupOne(ns, shape));
      if (!v) {
        problem(llvm::Twine("no shape constant '") + shape + "'");
        continue;
      }
      const std::optional<std::uint64_t> rank = int64ArraySize(v->getType());
      if (!v->isConstexpr() || !rank) {
        problem(llvm::Twine("'") + shape + "' is '" + s_.typeName(v->getType()) +
                "', not constexpr std::array<std::int64_t, R>");
        continue;
      }
      ranks[shape] = *rank;
      if (std::optional<std::vector<std::int64_t>> values = arrayValues(v)) shapes[shape] = *values;
    }
    if (ranks.count("weight_shape") && ranks["weight_shape"] != 4)
      problem("weight_shape has rank " + llvm::Twine(ranks["weight_shape"]) +
              ", not 4 (out, in/groups, kh, kw)");
    // A linear layer (a conv over the whole input) has nn.Linear's output
    // [N, out], and its input may be [N, in_features].
    const bool linear = !pool && ranks.count("output_shape") && ranks["output_shape"] == 2;
    for (const char* shape : {"input_shape", "output_shape"})
      if (ranks.count(shape) && ranks[shape] != 3 && ranks[shape] != 4 &&
          !(linear && ranks[shape] == 2))
        problem(llvm::Twine(shape) + " has rank " + llvm::Twine(ranks[shape]) +
                ", not 4 (NCHW) or 3 (CHW)");
    if (ranks.count("input_shape") && ranks.count("output_shape") && !linear &&
        ranks["input_shape"] != ranks["output_shape"])
      problem("input_shape and output_shape have different ranks");
    // A conv_transpose2d layer (it declares output_padding) has
    // nn.ConvTranspose2d's weight (in, out/groups, kh, kw).
    checkShapeValues(shapes, problem, s_.lookupOne(ns, "output_padding") != nullptr);

    if (auto* info = dyn_cast_or_null<VarDecl>(s_.lookupOne(ns, "info"))) {
      const CXXRecordDecl* record = info->getType()->getAsCXXRecordDecl();
      if (!info->isConstexpr() || !record ||
          (s_.name(record) != "convgen::generated::LayerInfo" && !pool))
        problem("'info' is '" + s_.typeName(info->getType()) +
                "', not constexpr convgen::generated::LayerInfo");
      auto layer_isa = s_.layerIsas().find(ns->getOriginalNamespace());
      if (layer_isa != s_.layerIsas().end() && !layer_isa->second.isa)
        problem("info.isa is \"" + layer_isa->second.spelled + "\", not one of " +
                isaNameList("\""));
    } else {
      problem("no 'info' constant (convgen::generated::LayerInfo)");
    }

    std::vector<FunctionDecl*> forwards = s_.lookupFunctions(ns, "forward");
    const bool gradients = !s_.lookupFunctions(ns, "backward_input").empty();
    if (gradients && !value_type.isNull()) checkGradients(ns, layer, value_type, problem, in_cpp && forwards.empty());
    if (forwards.empty()) {
      // backward: only: the gradients are the layer's whole API.
      if (!gradients) problem("no 'forward' function (nor 'backward_input', for backward: only)");
      return;
    }
    // The declared forward: the one whose declaration is in a header.
    const FunctionDecl* forward = forwards.front();
    std::vector<QualType> params;
    if (!value_type.isNull()) {
      const QualType in = s_.ctx().getPointerType(s_.ctx().getConstType(value_type));
      params = {in, in, in, s_.ctx().getPointerType(value_type)};
      if (pool) params = {in, s_.ctx().getPointerType(value_type)};
      // A layer with a fused residual (its `epilogue` constant) takes the
      // residual tensor after bias: (input, weight, bias, residual, output).
      else if (forward->getNumParams() == 5 && s_.lookupOne(ns, "epilogue"))
        params.insert(params.begin() + 3, in);
      if (!forward->getReturnType()->isVoidType() || forward->getNumParams() != params.size() ||
          !std::equal(params.begin(), params.end(), forward->param_begin(),
                      [&](QualType want, const ParmVarDecl* p) {
                        return s_.ctx().hasSameType(want, p->getType());
                      }))
        problem("forward is '" + s_.typeName(forward->getType()) + "', not 'void (const " +
                s_.typeName(value_type) +
                (pool ? std::string()
                      : " *, const " + s_.typeName(value_type) + " *, const " +
                            s_.typeName(value_type)) +
                " *, " + (params.size() == 5 ? "const " + s_.typeName(value_type) + " *, " : "") +
                s_.typeName(value_type) + " *) noexcept'");
      const auto* proto = forward->getType()->getAs<FunctionProtoType>();
      if (proto && !proto->isNothrow()) problem("forward is not noexcept");
    }

    std::string c_name = layer;
    for (std::size_t at = c_name.find("::"); at != std::string::npos; at = c_name.find("::"))
      c_name.replace(at, 2, "_");
    c_name += "_forward";
    std::vector<FunctionDecl*> entries = s_.lookupFunctions(s_.ctx().getTranslationUnitDecl(), c_name);
    if (entries.empty()) {
      problem("no extern \"C\" entry point '" + c_name + "'");
      return;
    }
    const FunctionDecl* entry = entries.front();
    if (!entry->isExternC()) problem("'" + c_name + "' is not declared extern \"C\"");
    if (!params.empty() && (!entry->getReturnType()->isVoidType() ||
                            entry->getNumParams() != params.size() ||
                            !std::equal(params.begin(), params.end(), entry->param_begin(),
                                        [&](QualType want, const ParmVarDecl* p) {
                                          return s_.ctx().hasSameType(want, p->getType());
                                        })))
      problem("'" + c_name + "' is '" + s_.typeName(entry->getType()) +
              "', not forward's parameters returning void");
    if (in_cpp) {
      const FunctionDecl* def = entry->getDefinition();
      if (!def || !s_.sm().isInMainFile(s_.sm().getExpansionLoc(def->getLocation())))
        problem("forward is defined here but '" + c_name + "' is not");
    }
  }

  // The gradients' entry points and their extern "C" twins (`in_cpp`: the
  // file defines them, so the twins must be defined here too).
  template <typename Problem>
  void checkGradients(const NamespaceDecl* ns, const std::string& layer, QualType value_type,
                      const Problem& problem, bool in_cpp) {
    const QualType in = s_.ctx().getPointerType(s_.ctx().getConstType(value_type));
    const QualType out = s_.ctx().getPointerType(value_type);
    std::optional<bool> bias;  // from bias_shape: {0} without a bias
    if (auto* v = dyn_cast_or_null<VarDecl>(s_.lookupOne(ns, "bias_shape")))
      if (std::optional<std::vector<std::int64_t>> values = arrayValues(v))
        bias = !(values->size() == 1 && (*values)[0] == 0);
    std::string c_prefix = layer;
    for (std::size_t at = c_prefix.find("::"); at != std::string::npos; at = c_prefix.find("::"))
      c_prefix.replace(at, 2, "_");
    auto same = [&](const FunctionDecl* f, const std::vector<QualType>& params) {
      return f->getReturnType()->isVoidType() && f->getNumParams() == params.size() &&
             std::equal(params.begin(), params.end(), f->param_begin(),
                        [&](QualType want, const ParmVarDecl* p) {
                          return s_.ctx().hasSameType(want, p->getType());
                        });
    };
    const std::string t = s_.typeName(value_type);
    struct Entry {
      const char* name;
      std::vector<QualType> params;
      std::string spelled;
    };
    const std::vector<Entry> entries = {
        {"backward_input", {in, in, out}, "void (const " + t + " *, const " + t + " *, " + t + " *) noexcept"},
        {"backward_weight", {in, in, out}, "void (const " + t + " *, const " + t + " *, " + t + " *) noexcept"},
        {"backward_bias", {in, out}, "void (const " + t + " *, " + t + " *) noexcept"}};
    for (const Entry& e : entries) {
      std::vector<FunctionDecl*> fns = s_.lookupFunctions(ns, e.name);
      const bool is_bias = llvm::StringRef(e.name) == "backward_bias";
      if (is_bias && bias && !*bias) {
        if (!fns.empty()) problem("backward_bias is declared, but bias_shape is {0} (no bias)");
        continue;
      }
      if (fns.empty()) {
        if (!is_bias || bias) problem(llvm::Twine("no '") + e.name + "' function (it has backward_input)");
        continue;
      }
      const FunctionDecl* fn = fns.front();
      if (!same(fn, e.params))
        problem(llvm::Twine(e.name) + " is '" + s_.typeName(fn->getType()) + "', not '" + e.spelled + "'");
      const auto* proto = fn->getType()->getAs<FunctionProtoType>();
      if (proto && !proto->isNothrow()) problem(llvm::Twine(e.name) + " is not noexcept");
      const std::string c_name = c_prefix + "_" + e.name;
      std::vector<FunctionDecl*> twins =
          s_.lookupFunctions(s_.ctx().getTranslationUnitDecl(), c_name);
      if (twins.empty()) {
        problem("no extern \"C\" entry point '" + c_name + "'");
        continue;
      }
      const FunctionDecl* twin = twins.front();
      if (!twin->isExternC()) problem("'" + c_name + "' is not declared extern \"C\"");
      if (!same(twin, e.params))
        problem("'" + c_name + "' is '" + s_.typeName(twin->getType()) + "', not " + e.name +
                "'s parameters returning void");
      if (in_cpp) {
        const FunctionDecl* def = twin->getDefinition();
        if (!def || !s_.sm().isInMainFile(s_.sm().getExpansionLoc(def->getLocation())))
          problem(llvm::Twine(e.name) + " is defined here but '" + c_name + "' is not");
      }
    }
  }

  template <typename Problem>
  void checkShapeValues(std::map<std::string, std::vector<std::int64_t>>& shapes,
                        const Problem& problem, bool transposed) {
    for (const auto& [shape, values] : shapes)
      for (std::int64_t v : values)
        if (v <= 0) {
          problem(shape + " has a non-positive dimension");
          break;
        }
    if (!shapes.count("input_shape") || !shapes.count("output_shape") ||
        !shapes.count("weight_shape"))
      return;
    const std::vector<std::int64_t>& in = shapes["input_shape"];
    const std::vector<std::int64_t>& out = shapes["output_shape"];
    const std::vector<std::int64_t>& w = shapes["weight_shape"];
    if (out.size() == 2 && w.size() == 4) {  // linear: [N, out] from [N, C*H*W]
      if (out[1] != w[0])
        problem("output_shape has " + llvm::Twine(out[1]) + " features but weight_shape has " +
                llvm::Twine(w[0]) + " output channels");
      if (in[0] != out[0]) problem("input_shape and output_shape have different batches");
      return;
    }
    if (in.size() != out.size() || w.size() != 4 || in.size() < 3) return;
    const std::size_t c = in.size() == 4 ? 1 : 0;
    if (transposed) {
      if (in[c] != w[0])
        problem("input_shape has " + llvm::Twine(in[c]) + " channels but weight_shape (in, "
                "out/groups, kh, kw) has " + llvm::Twine(w[0]) + " input channels");
      if (w[1] <= 0 || out[c] % w[1] != 0)
        problem("output_shape's " + llvm::Twine(out[c]) +
                " channels are not a multiple of weight_shape's " + llvm::Twine(w[1]) +
                " output channels per group");
      if (c == 1 && in[0] != out[0]) problem("input_shape and output_shape have different batches");
      return;
    }
    if (out[c] != w[0])
      problem("output_shape has " + llvm::Twine(out[c]) + " channels but weight_shape has " +
              llvm::Twine(w[0]) + " output channels");
    if (w[1] <= 0 || in[c] % w[1] != 0)
      problem("input_shape's " + llvm::Twine(in[c]) +
              " channels are not a multiple of weight_shape's " + llvm::Twine(w[1]) +
              " input channels per group");
    if (c == 1 && in[0] != out[0]) problem("input_shape and output_shape have different batches");
  }

  // A network's namespace (it declares arena_bytes): forward(const float*,
  // float*, void*) noexcept over the layers above it, not a layer itself.
  void checkNetwork(const NamespaceDecl* ns, SourceLocation where) {
    for (const FunctionDecl* forward : s_.lookupFunctions(ns, "forward")) {
      const auto* proto = forward->getType()->getAs<FunctionProtoType>();
      const bool ok = forward->getReturnType()->isVoidType() && forward->getNumParams() == 3 &&
                      forward->getParamDecl(0)->getType()->isPointerType() &&
                      forward->getParamDecl(1)->getType()->isPointerType() &&
                      forward->getParamDecl(2)->getType()->isVoidPointerType() && proto &&
                      proto->isNothrow();
      if (!ok)
        report(where, "network '" + s_.name(ns) + "': forward is '" +
                          s_.typeName(forward->getType()) +
                          "', not 'void (const T *, T *, void *) noexcept'");
    }
  }

 public:
  void finish() override {
    const bool header = isHeaderPath(s_.mainPath());
    std::size_t checked = 0;
    for (const NamespaceDecl* ns : s_.userNamespaces()) {
      const bool is_layer = !s_.lookupFunctions(ns, "forward").empty() ||
                            !s_.lookupFunctions(ns, "backward_input").empty() ||
                            s_.lookupOne(ns, "value_type") || s_.lookupOne(ns, "input_shape") ||
                            s_.lookupOne(ns, "output_shape") || s_.lookupOne(ns, "weight_shape");
      if (!is_layer) continue;
      if (s_.lookupOne(ns, "arena_bytes")) {
        checkNetwork(ns, ns->getLocation());
        ++checked;
        continue;
      }
      if (header) {
        // The namespace as the header (the main file) declares it.
        SourceLocation where = ns->getLocation();
        for (const NamespaceDecl* redecl : ns->redecls())
          if (s_.sm().isInMainFile(s_.sm().getExpansionLoc(redecl->getLocation()))) {
            where = redecl->getLocation();
            break;
          }
        checkLayer(ns, where, /*in_cpp=*/false);
        ++checked;
        continue;
      }
      // A .cpp checks the layers whose forward it defines (a shard defines
      // some of its header's layers), or, for a layer without a forward
      // (backward: only), its backward_input.
      std::vector<FunctionDecl*> defined = s_.lookupFunctions(ns, "forward");
      if (defined.empty()) defined = s_.lookupFunctions(ns, "backward_input");
      for (const FunctionDecl* fn : defined) {
        for (const FunctionDecl* redecl : fn->redecls()) {
          if (!redecl->isThisDeclarationADefinition() ||
              !s_.sm().isInMainFile(s_.sm().getExpansionLoc(redecl->getLocation())))
            continue;
          if (!redecl->getPreviousDecl())
            report(redecl->getLocation(),
                   "'" + s_.name(redecl) +
                       "' is defined here but not declared in the header (different parameters "
                       "or return type?)");
          else
            checkLayer(ns, redecl->getLocation(), /*in_cpp=*/true);
          ++checked;
        }
      }
    }
    if (checked == 0 && header)
      report(s_.sm().getLocForStartOfFile(s_.sm().getMainFileID()),
             "no layer API: a generated header declares, per layer, value_type, the shape "
             "constants and forward in namespace <namespace>::<layer>");
  }

};

}  // namespace

std::unique_ptr<Rule> makePublicApi(Session& s, std::string_view name) {
  return std::make_unique<PublicApi>(s, std::string(name));
}

}  // namespace convgen::verifier
