#include "convgen/kernel_name.h"

#include <cctype>

#include "convgen/internal_error.h"

namespace convgen {

std::string_view toString(WindowUnroll u) {
  switch (u) {
    case WindowUnroll::Full:
      return "full";
    case WindowUnroll::Row:
      return "row";
    case WindowUnroll::None:
      return "none";
  }
  return "?";
}

std::string strategyName(Strategy strategy, Isa isa) {
  switch (strategy) {
    case Strategy::Direct:
      return "direct";
    case Strategy::DirectVector:
      return "direct_w" + std::to_string(isaInfo(isa).lanes);
    case Strategy::ChannelVector:
      return "channel_w" + std::to_string(isaInfo(isa).lanes);
  }
  CONVGEN_CHECK(false, "unknown strategy");
  return "";
}

bool operator==(const KernelName& a, const KernelName& b) {
  return a.layer == b.layer && a.isa == b.isa && a.strategy == b.strategy && a.lanes == b.lanes &&
         a.oc_tile == b.oc_tile && a.ow_tile == b.ow_tile && a.row_tile == b.row_tile &&
         a.vec_tile == b.vec_tile && a.deinterleaved == b.deinterleaved && a.pixel_tile == b.pixel_tile && a.window == b.window;
}

std::string encode(const KernelName& n) {
  std::string strategy, tile;
  switch (n.strategy) {
    case Strategy::Direct:
      strategy = "direct";
      tile = "ow" + std::to_string(n.ow_tile);
      break;
    case Strategy::DirectVector:
      strategy = "direct_w" + std::to_string(n.lanes);
      tile = "r" + std::to_string(n.row_tile) + "v" + std::to_string(n.vec_tile) +
             (n.deinterleaved ? "d" : "");
      break;
    case Strategy::ChannelVector:
      strategy = "channel_w" + std::to_string(n.lanes);
      tile = "p" + std::to_string(n.pixel_tile);
      break;
  }
  return n.layer + "__" + std::string(toString(n.isa)) + "_" + strategy + "_oc" +
         std::to_string(n.oc_tile) + "x" + tile + "_" + std::string(toString(n.window));
}

namespace {

// A small cursor over the text: each take* consumes on success only.
struct Cursor {
  std::string_view rest;
  bool take(std::string_view word) {
    if (rest.substr(0, word.size()) != word) return false;
    rest.remove_prefix(word.size());
    return true;
  }
  // A positive decimal number without leading zeros.
  std::optional<std::int64_t> number() {
    std::size_t n = 0;
    while (n < rest.size() && n < 18 && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    if (n == 0 || rest[0] == '0') return std::nullopt;
    std::int64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (rest[i] - '0');
    rest.remove_prefix(n);
    return v;
  }
};

}  // namespace

std::optional<KernelName> decode(std::string_view text) {
  // The layer is an identifier and cannot hold "__" followed by an ISA name
  // and "_direct": take the last "__".
  const std::size_t sep = text.rfind("__");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  KernelName n;
  n.layer = std::string(text.substr(0, sep));
  Cursor c{text.substr(sep + 2)};
  bool isa_found = false;
  for (const IsaInfo& info : isaTable())
    if (c.take(std::string(info.name) + "_")) {
      n.isa = info.isa;
      isa_found = true;
      break;
    }
  if (!isa_found) return std::nullopt;
  if (c.take("channel_w")) {
    n.strategy = Strategy::ChannelVector;
  } else if (!c.take("direct")) {
    return std::nullopt;
  } else if (c.take("_w")) {
    n.strategy = Strategy::DirectVector;
  }
  if (n.strategy != Strategy::Direct) {
    std::optional<std::int64_t> lanes = c.number();
    if (!lanes) return std::nullopt;
    n.lanes = *lanes;
  }
  if (!c.take("_oc")) return std::nullopt;
  std::optional<std::int64_t> oc = c.number();
  if (!oc || !c.take("x")) return std::nullopt;
  n.oc_tile = *oc;
  if (n.strategy == Strategy::ChannelVector) {
    if (!c.take("p")) return std::nullopt;
    std::optional<std::int64_t> pixels = c.number();
    if (!pixels || n.oc_tile % n.lanes != 0) return std::nullopt;
    n.pixel_tile = *pixels;
  } else if (n.strategy == Strategy::DirectVector) {
    if (!c.take("r")) return std::nullopt;
    std::optional<std::int64_t> rows = c.number();
    if (!rows || !c.take("v")) return std::nullopt;
    std::optional<std::int64_t> vectors = c.number();
    if (!vectors) return std::nullopt;
    n.row_tile = *rows;
    n.vec_tile = *vectors;
    n.deinterleaved = c.take("d");
  } else {
    if (!c.take("ow")) return std::nullopt;
    std::optional<std::int64_t> ow = c.number();
    if (!ow) return std::nullopt;
    n.ow_tile = *ow;
  }
  if (!c.take("_")) return std::nullopt;
  for (WindowUnroll w : {WindowUnroll::Full, WindowUnroll::Row, WindowUnroll::None})
    if (c.rest == toString(w)) {
      n.window = w;
      return n;
    }
  return std::nullopt;
}

}  // namespace convgen
