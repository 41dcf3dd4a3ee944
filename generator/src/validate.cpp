// Stage 2 of reading a config: every rule `convgen generate` depends on, so
// that `convgen check` applies them all. The model's rules are here (the
// config's file name, namespace, isa, unique layer names, totals); one
// layer's are LayerValidator's (validate_layer.h); names' are
// reserved_names.cpp's. Every rule whose inputs are usable runs, so one pass
// reports every problem.
#include "convgen/validate.h"

#include <limits>

#include "convgen/config.h"
#include "llvm/ADT/StringMap.h"
#include "validate_layer.h"

namespace convgen {

std::optional<ModelSpec> validateConfig(const RawConfig& raw, Diagnostics& diags) {
  ModelSpec model;
  model.config_name = raw.config_name;
  // Whether everything is usable and valid; not the same as "no errors in
  // `diags`": stage 1 reports a missing or ill-typed value, not stage 2.
  bool ok = raw.cpp_namespace.usable() && !raw.layers.empty();
  // Generated files are named after the config's: a located rule, at the
  // file's start, so that `check` refuses what `generate` would.
  if (configFileStem(raw.config_name).empty()) {
    llvm::SMLoc file_start;
    if (const unsigned id =
            raw.loc.isValid() ? diags.sourceMgr().FindBufferContainingLoc(raw.loc) : 0)
      file_start =
          llvm::SMLoc::getFromPointer(diags.sourceMgr().getMemoryBuffer(id)->getBufferStart());
    diags.error(file_start, "config file name '" + excerpt(raw.config_name) +
                                "' cannot name generated files: use letters, digits, '_' and '-' "
                                "(starting with a letter or digit) before .yaml");
    ok = false;
  }
  if (raw.cpp_namespace.usable()) {
    std::string why;
    if (!isSafeNamespace(raw.cpp_namespace.value, &why)) {
      diags.error(raw.cpp_namespace.loc,
                  "namespace '" + excerpt(raw.cpp_namespace.value) + "' " + why);
      ok = false;
    }
    model.cpp_namespace = raw.cpp_namespace.value;
  }
  Isa default_isa = Isa::Scalar;
  if (raw.isa.usable()) {
    if (auto isa = detail::parseConfigIsa(raw.isa, diags))
      default_isa = *isa;
    else
      ok = false;
  } else if (raw.isa.present) {
    ok = false;
  }

  llvm::StringMap<llvm::SMLoc> names;
  std::int64_t total_macs = 0, total_params = 0;
  for (const RawLayer& layer : raw.layers) {
    if (layer.name.usable()) {
      auto [it, inserted] = names.try_emplace(layer.name.value, layer.name.loc);
      if (!inserted) {
        auto [line, col] = diags.sourceMgr().getLineAndColumn(it->second);
        diags.error(layer.name.loc, "duplicate layer name '" + excerpt(layer.name.value) +
                                        "' (first used at line " + llvm::Twine(line) + ", column " +
                                        llvm::Twine(col) + ")");
        ok = false;
      }
    }
    detail::LayerValidator validator(layer, default_isa, diags);
    std::optional<LayerSpec> spec = validator.run();
    if (!spec) {
      ok = false;
      continue;
    }
    spec->backward = layer.backward.present ? layer.backward.usable() && layer.backward.value
                                            : raw.backward.usable() && raw.backward.value;
    // The whole model's totals (`convgen shapes` prints them) fit as well.
    std::int64_t macs = 0, params = 0;
    if (__builtin_add_overflow(total_macs, validator.macs(), &macs) ||
        __builtin_add_overflow(total_params, validator.params(), &params)) {
      diags.error(layer.loc, "the model's total multiply-accumulates or parameters exceed " +
                                 llvm::Twine(std::numeric_limits<std::int64_t>::max()) +
                                 " with this layer, more than convgen supports");
      ok = false;
      continue;
    }
    total_macs = macs;
    total_params = params;
    model.layers.push_back(std::move(*spec));
  }
  if (!ok && !diags.hasErrors()) {
    // Only when `raw` did not come from parseConfig with these diagnostics:
    // never hand out a model without the layers or namespace it lacks.
    diags.error(raw.loc, "config is incomplete: it needs a valid 'namespace' and 'layers'");
  }
  if (!ok || diags.hasErrors()) return std::nullopt;
  return model;
}

}  // namespace convgen
