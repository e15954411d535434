#pragma once
// RowStage: the type-erased interface of one row step inside a fused run (see
// fused.hpp). Kept apart so the registry can name it without the runner.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"

#include <cstddef>

namespace orrery {

/// One row step inside a fused run, type-erased so that the dynamic pipeline can
/// drive it too. The static pipeline uses RowStageOf<S> directly (calls are
/// resolved at compile time; `final` lets the compiler devirtualise).
class RowStage {
public:
    virtual ~RowStage() = default;
    /// Start event; then skip (configuration) or prepare.
    virtual void begin(AnyValue& data, Context& ctx) = 0;
    /// Process rows [r0, r1) (no-op when skipped).
    virtual void rows(AnyValue& data, std::size_t r0, std::size_t r1) = 0;
    /// finish(), status, save, finish event.
    virtual void end(AnyValue& data, Context& ctx) = 0;
    /// Report the exception being handled as this step's failure (call inside a catch).
    [[noreturn]] virtual void fail() = 0;
    [[nodiscard]] virtual std::size_t row_count(const AnyValue& data) const = 0;
    [[nodiscard]] virtual std::size_t block_rows(const AnyValue& data) const = 0;
};

}  // namespace orrery
