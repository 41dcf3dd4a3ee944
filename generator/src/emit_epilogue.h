// Internal to the emitters: the fused epilogue (emit_epilogue.cpp). Every
// strategy stores its results through these, so each gets the activation and
// the residual add on registers before the store, in PyTorch's operation
// order (docs/semantics.md section 14): output = activation(conv + bias +
// residual). A layer without an epilogue gets exactly the text it had before
// epilogues existed: every helper returns "" or the plain store then.
#pragma once

#include <cstdint>
#include <string>

#include "emit_code.h"
#include "vector_backend.h"

namespace convgen::detail {

// ", <decl>" when the layer adds a residual, else "": a function parameter
// after the output pointer (e.g. residualParam(l, "const T* r_o")).
std::string residualParam(const LayerSpec& l, const std::string& decl);
// ", <expr>" when the layer adds a residual, else "": the matching argument.
std::string residualArg(const LayerSpec& l, const std::string& expr);
// A statement line (e.g. "const T* r_g = residual + ...;") only when the
// layer adds a residual.
void residualLine(Code& c, const LayerSpec& l, const std::string& text);

// `y = T(acc);` or, with an epilogue, `y = activate(T(acc) + r);` (integer
// types add in the unsigned accumulator: wraps like PyTorch). `r` is the
// residual element at y's index.
std::string scalarStore(const LayerSpec& l, const std::string& y, const std::string& acc,
                        const std::string& r);

// Stores vector `acc` at `y_at` (lanes [0, valid)); with an epilogue, first
// adds the residual vector at `r_at` (loaded with the same lanes) and
// applies the activation, with the back-end's operations as the ISA
// table's caps allow.
void vectorStore(Code& c, const VectorBackend& isa, const LayerSpec& l, const std::string& y_at,
                 const std::string& r_at, const std::string& acc, std::int64_t valid);

// The layer's scalar `activate(T)` function for its anonymous namespace,
// "" when the layer has no activation.
std::string activationFunction(const LayerSpec& l);

// One line of C++ comment text describing the epilogue, for summaries:
// "relu(conv + bias + residual l0003)", or "" when there is none.
std::string epilogueSummary(const LayerSpec& l);

// The header's parts (emit.cpp): the Epilogue type (only in headers with a
// layer that has an epilogue, under its own guard), a layer's `epilogue`
// constant, and the comment lines of its declarations; each "" for a layer
// without an epilogue. Each starts with a line break.
std::string epilogueStruct();
std::string epilogueDeclaration(const LayerSpec& l);
std::string epilogueNote(const LayerSpec& l);

}  // namespace convgen::detail
