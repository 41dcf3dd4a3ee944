// Layers built in memory for the planner and emitter tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convgen/spec.h"

// A zeros-padded float32 scalar layer: input {N, C, H, W}, square kernel.
inline convgen::LayerSpec conv(const std::string& name, std::vector<std::int64_t> input,
                               std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
                               std::int64_t pad) {
  convgen::LayerSpec l;
  l.name = name;
  l.batch = input[0];
  l.in_channels = input[1];
  l.in_height = input[2];
  l.in_width = input[3];
  l.out_channels = out_channels;
  l.kernel = {kernel, kernel};
  l.stride = {stride, stride};
  l.pad = {pad, pad, pad, pad};
  return l;
}
