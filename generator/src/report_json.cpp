// `convgen generate --report=json`: the plan of every layer as data, for
// tests, scripts and CI (llvm/Support/JSON.h), so that nothing scrapes the
// text report or decodes kernel names.
#include <algorithm>
#include <variant>

#include "convgen/report.h"
#include "llvm/Support/JSON.h"

namespace convgen {
namespace {

void interval(llvm::json::OStream& j, const char* key, const Interval& v) {
  j.attributeArray(key, [&] {
    j.value(v.lo);
    j.value(v.hi);
  });
}

void tile(llvm::json::OStream& j, const KernelPlan& p) {
  const KernelName n = p.name();
  j.attributeObject("tile", [&] {
    j.attribute("oc", n.oc_tile);
    if (n.strategy == Strategy::DirectVector) {
      j.attribute("rows", n.row_tile);
      j.attribute("vectors", n.vec_tile);
      j.attribute("lanes", n.lanes);
      j.attribute("deinterleaved", n.deinterleaved);
    } else {
      j.attribute("ow", n.ow_tile);
    }
  });
  j.attribute("window", std::string(toString(n.window)));
  if (const auto* v = std::get_if<DirectVectorPlan>(&p.detail)) {
    std::int64_t border_tiles = 0;
    for (const ColumnTile& t : v->tiles) border_tiles += t.interior ? 0 : 1;
    j.attribute("border_tiles", border_tiles);
    j.attributeArray("pixel_columns", [&] {
      for (const Interval& c : v->pixel_columns) j.arrayBegin(), j.value(c.lo), j.value(c.hi), j.arrayEnd();
    });
  }
}

}  // namespace

void printGenerationReportJson(const ModelSpec& model, const GeneratedModel& generated,
                               const ObjectSizes* sizes, llvm::raw_ostream& os) {
  llvm::json::OStream j(os, 2);
  j.object([&] {
    j.attribute("convgen", CONVGEN_VERSION);
    j.attribute("config", model.config_name);
    j.attribute("namespace", model.cpp_namespace);
    j.attributeArray("layers", [&] {
      for (std::size_t i = 0; i < generated.plans.size(); ++i) {
        const KernelPlan& p = generated.plans[i];
        j.object([&] {
          j.attribute("name", p.layer.name);
          j.attribute("op", std::string(toString(p.layer.source_op)));
          j.attribute("isa", std::string(toString(p.isa)));
          j.attribute("config_isa", std::string(toString(p.layer.isa)));
          j.attribute("forward", !p.layer.backward_only);
          j.attribute("backward", p.layer.backward);
          if (p.layer.backward_only) {  // the gradients alone: no forward plan to describe
            j.attribute("lines", generated.layer_lines[i]);
            j.attribute("macs", p.shapes.macs);
            if (sizes && i < sizes->layer_bytes.size())
              j.attribute("object_bytes", sizes->layer_bytes[i]);
            return;
          }
          j.attribute("strategy", p.strategyName());
          j.attribute("kernel", p.kernelName());
          j.attribute("packed_kernel", p.packedKernelName());
          j.attribute("packed_strategy",
                      p.packed ? strategyName(Strategy::ChannelVector, p.isa) : p.strategyName());
          j.attribute("packed_weight_size", p.packedWeightSize());
          // Input channels per block of forward_packed's reduction; 0: not blocked.
          j.attribute("packed_ci_block", p.packed && p.packed->ci_blocking
                                             ? p.packed->ci_blocking->channels
                                             : std::int64_t(0));
          tile(j, p);
          j.attributeObject("interior", [&] {
            interval(j, "rows", p.rows);
            interval(j, "cols", p.cols);
          });
          j.attribute("border_pixels", p.border_pixels);
          j.attribute("unrolled_statements", p.unrolled_statements);
          j.attribute("lines", generated.layer_lines[i]);
          j.attribute("macs", p.shapes.macs);
          j.attribute("local_array_bytes", p.localArrayBytes());
          if (sizes && i < sizes->layer_bytes.size())
            j.attribute("object_bytes", sizes->layer_bytes[i]);
        });
      }
    });
    // Pooling layers (pool_plan.h): their own fields, none of a conv's.
    j.attributeArray("pools", [&] {
      for (std::size_t i = 0; i < generated.pool_plans.size(); ++i) {
        const PoolPlan& p = generated.pool_plans[i];
        j.object([&] {
          j.attribute("name", p.pool.name);
          j.attribute("op", std::string(toString(p.pool.op)));
          j.attribute("isa", std::string(toString(p.isa)));
          j.attribute("config_isa", std::string(toString(p.pool.isa)));
          j.attribute("lanes", p.lanes);
          j.attribute("window", p.windowName());
          j.attributeArray("window_taps", [&] {
            j.value(p.rows.taps);
            j.value(p.cols.taps);
          });
          j.attribute("border_windows",
                      p.rows.table && p.cols.table ? std::string("tables") : std::string("computed"));
          j.attributeObject("interior", [&] {
            interval(j, "rows", p.rows.interior);
            interval(j, "cols", p.cols.interior);
          });
          j.attribute("border_pixels", p.border_pixels);
          j.attribute("lines", generated.pool_lines[i]);
        });
      }
    });
    j.attributeArray("files", [&] {
      for (const GeneratedFile& f : generated.files)
        j.object([&] {
          j.attribute("name", f.name);
          j.attribute("lines", static_cast<std::int64_t>(
                                   std::count(f.content.begin(), f.content.end(), '\n')));
          j.attribute("bytes", static_cast<std::int64_t>(f.content.size()));
        });
    });
    if (sizes) {
      std::int64_t total = 0;
      for (std::int64_t b : sizes->layer_bytes) total += b;
      j.attribute("object_bytes", total);
    }
  });
  os << "\n";
}

void printObjectSizes(const ModelSpec& model, const ObjectSizes& sizes,
                      const ObjectSizeRequest& request, llvm::raw_ostream& os) {
  os << "object code (" << request.compiler;
  for (const std::string& flag : request.flags) os << " " << flag;
  os << " -O2):\n";
  std::int64_t total = 0;
  for (std::size_t i = 0; i < model.layers.size() && i < sizes.layer_bytes.size(); ++i) {
    os << "  " << model.layers[i].name << ": " << sizes.layer_bytes[i] << " bytes\n";
    total += sizes.layer_bytes[i];
  }
  os << "  total: " << total << " bytes\n";
}

}  // namespace convgen
