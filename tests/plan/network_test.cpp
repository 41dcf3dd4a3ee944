// planNetwork (generator/src/network.cpp): steps read what their layers
// name, the last layer writes the caller's output, and every tensor stays in
// the arena until its last reader has run.
#include "convgen/network.h"

#include <catch2/catch.hpp>

using convgen::NetworkNode;
using convgen::planNetwork;
using convgen::TensorRef;
using Kind = TensorRef::Kind;

namespace {

NetworkNode node(std::string name, std::optional<std::size_t> input,
                 std::vector<std::int64_t> shape, std::optional<std::size_t> residual = {}) {
  NetworkNode n;
  n.name = std::move(name);
  n.input = input;
  n.residual = residual;
  n.output_shape = std::move(shape);
  return n;
}

}  // namespace

TEST_CASE("network: a chain reads the network input first and writes its output last", "[network]") {
  const std::vector<NetworkNode> nodes = {node("conv1", std::nullopt, {64, 25, 5}),
                                          node("dw1", 0, {64, 25, 5}), node("pw1", 1, {64, 25, 5}),
                                          node("pool", 2, {64, 1, 1}), node("fc", 3, {12})};
  const auto plan = planNetwork(nodes);
  REQUIRE(plan.steps.size() == 5);
  REQUIRE(plan.tensors.size() == 4);
  CHECK(plan.steps[0].input == TensorRef{Kind::NetworkInput, 0});
  CHECK(plan.steps[4].output == TensorRef{Kind::NetworkOutput, 0});
  for (std::size_t i = 1; i < 5; ++i) CHECK(plan.steps[i].input == plan.steps[i - 1].output);
  CHECK(plan.tensors[0].bytes == 64 * 25 * 5 * 4);
  CHECK(plan.tensors[3].bytes == 64 * 4);
  // Ping-pong: two 32000-byte regions (aligned to 32000), the small ones in between.
  CHECK(plan.arena.bytes == 2 * 32000);
  CHECK(plan.arena.lower_bound == 2 * 32000);
}

TEST_CASE("network: a residual block keeps the block input live until the add", "[network]") {
  // stem -> a -> b (+ stem) -> head
  const std::vector<NetworkNode> nodes = {
      node("stem", std::nullopt, {16, 8, 8}), node("a", 0, {16, 8, 8}),
      node("b", 1, {16, 8, 8}, std::size_t{0}), node("head", 2, {10})};
  const auto plan = planNetwork(nodes);
  REQUIRE(plan.steps[2].residual.has_value());
  CHECK(*plan.steps[2].residual == plan.steps[1].input);  // stem's output
  CHECK(plan.tensors[0].last == 2);
  // stem, a and b are all live at step 2: three regions, no reuse possible.
  CHECK(plan.arena.bytes == 3 * 16 * 8 * 8 * 4);
  const auto& off = plan.arena.offsets;
  CHECK(off[0] != off[1]);
  CHECK(off[1] != off[2]);
  CHECK(off[0] != off[2]);
}

TEST_CASE("network: a layer reading the network input again needs no arena tensor", "[network]") {
  const std::vector<NetworkNode> nodes = {node("left", std::nullopt, {4, 4, 4}),
                                          node("right", std::nullopt, {4, 4, 4}, std::size_t{0})};
  const auto plan = planNetwork(nodes);
  CHECK(plan.steps[1].input == TensorRef{Kind::NetworkInput, 0});
  CHECK(*plan.steps[1].residual == plan.steps[0].output);
  CHECK(plan.arena.bytes == 256);
}
