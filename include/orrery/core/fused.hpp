#pragma once
// Fusion, explicit: `orrery::fused(A{}, B{}, ...)` is one element of a chain that
// runs the row steps A, B, ... (row_step.hpp) block by block — every step on one
// block of rows while it is in cache, blocks in parallel — instead of one full pass
// over memory per step. The pipeline definition says which runs are fused:
//
//   orrery::chain(Load{}, orrery::fused(Scale{}, Offset{}, Clamp{}), Save{});
//
// Each step keeps its own events, status, log lines and time, in order: every
// prepare (in step order), then the blocks, then every finish (in step order).
// When a step of the group needs its whole output before the next step starts —
// pre/post hooks or saving (saves_results) configured on it — the group runs step after step
// instead (the same steps, one full pass each; same results). That rule is
// `fusable` below and holds for static and dynamic pipelines alike.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/product.hpp"
#include "orrery/core/row_stage.hpp"
#include "orrery/core/row_step.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/core/step_traits.hpp"

#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

namespace orrery {

/// First exception thrown by any block, with the index of the step that threw.
class BlockErrors {
public:
    void capture(std::size_t step) {
        std::lock_guard lock(mutex_);
        if (!error_) {
            error_ = std::current_exception();
            step_ = step;
        }
    }
    [[nodiscard]] bool any() const { return error_ != nullptr; }
    [[nodiscard]] std::size_t step() const { return step_; }
    [[noreturn]] void rethrow() const { std::rethrow_exception(error_); }

private:
    std::mutex mutex_;
    std::exception_ptr error_;
    std::size_t step_ = 0;
};

// ---- fused execution of a run of row steps ---------------------------------------

template <RowStep S>
class RowStageOf final : public RowStage {
public:
    using T = step_input_t<S>;
    explicit RowStageOf(const StepConfig<S>& cfg) : cfg_(cfg) {}

    void begin_typed(T& data, Context& ctx) {
        ctx.advance_step();
        run_.emplace(cfg_, ctx);
        if (cfg_.settings.skip) {
            run_->skipped(data);
            return;
        }
        configured_ = true;
        try {
            auto guard = run_->enter();
            ctx.info("Step " + run_->alias() + " running with args (" + cfg_.explicit_values.to_string() + ").");
            ctx.throw_if_cancelled();
            const auto t0 = std::chrono::steady_clock::now();
            state_.emplace(S::prepare(data, cfg_.params, ctx));
            nanos_ += elapsed(t0);
            active_ = ctx.step().status != StepStatus::skipped;
        } catch (...) {
            run_->failed();
        }
    }
    void rows_typed(T& data, std::size_t r0, std::size_t r1) {
        if (!active_) return;
        const auto t0 = std::chrono::steady_clock::now();
        S::process_rows(data, *state_, cfg_.params, r0, r1);
        nanos_ += elapsed(t0);
    }
    void end_typed(T& data, Context& ctx) {
        if (!configured_) return;  // skipped by configuration: already reported
        try {
            if constexpr (requires { &S::finish; }) {
                if (active_) {
                    auto guard = run_->enter();
                    S::finish(data, *state_, cfg_.params, ctx);
                }
            }
            run_->set_seconds(static_cast<double>(nanos_.load()) * 1e-9);
            run_->completed(data);
        } catch (...) {
            run_->failed();
        }
    }

    void begin(AnyValue& data, Context& ctx) override { begin_typed(*data.get<T>(), ctx); }
    void rows(AnyValue& data, std::size_t r0, std::size_t r1) override { rows_typed(*data.get<T>(), r0, r1); }
    void end(AnyValue& data, Context& ctx) override { end_typed(*data.get<T>(), ctx); }
    [[noreturn]] void fail() override { run_->failed(); }
    [[nodiscard]] std::size_t row_count(const AnyValue& data) const override { return product_traits<T>::rows(*data.get<T>()); }
    [[nodiscard]] std::size_t block_rows(const AnyValue& data) const override { return rows_per_block(*data.get<T>()); }

private:
    static std::int64_t elapsed(std::chrono::steady_clock::time_point t0) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    }
    const StepConfig<S>& cfg_;
    std::optional<StepRun<S>> run_;
    std::optional<typename S::RowState> state_;
    bool configured_ = false;
    bool active_ = false;
    std::atomic<std::int64_t> nanos_{0};
};

/// Whether a configured step may run fused: hooks and saving need the step's
/// whole output before the next step starts, so a group with such a step runs step by step.
template <Step S>
bool fusable(const StepConfig<S>& cfg) {
    return cfg.settings.pre_hooks.empty() && cfg.settings.post_hooks.empty() && !saves_results(cfg.settings);
}

namespace detail {
/// The fused schedule, shared by static and dynamic pipelines so both compute the
/// same thing: every stage begins (in order), then each block of rows goes through
/// every stage (blocks in parallel), then every stage ends (in order).
template <class RowsOf, class BlockRows, class Begin, class Rows, class End, class Fail>
void run_fused(std::size_t n, RowsOf rows_of, BlockRows block_rows, Begin begin, Rows rows, End end, Fail fail, const Context& ctx) {
    for (std::size_t k = 0; k < n; ++k) begin(k);
    const std::size_t total = rows_of(), per = block_rows();
    const std::size_t blocks = per ? (total + per - 1) / per : 0;
    BlockErrors errors;
    ctx.parallel_for(blocks, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1 && !errors.any(); ++b) {
            const std::size_t r0 = b * per, r1 = std::min(total, (b + 1) * per);
            for (std::size_t k = 0; k < n; ++k) {
                try {
                    rows(k, r0, r1);
                } catch (...) {
                    errors.capture(k);
                    return;
                }
            }
        }
    });
    if (errors.any()) {
        try {
            errors.rethrow();
        } catch (...) {
            fail(errors.step());
        }
    }
    for (std::size_t k = 0; k < n; ++k) end(k);
}
}  // namespace detail

/// Run the row steps S... fused over `data` (static pipelines).
template <class T, RowStep... S>
void run_fused_steps(T& data, Context& ctx, const StepConfig<S>&... cfg) {
    std::tuple<RowStageOf<S>...> stages(cfg...);
    auto visit = [&](std::size_t k, auto&& f) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { ((K == k ? (f(std::get<K>(stages)), 0) : 0), ...); }
        (std::index_sequence_for<S...>{});
    };
    detail::run_fused(
        sizeof...(S), [&] { return product_traits<T>::rows(data); }, [&] { return rows_per_block(data); },
        [&](std::size_t k) { visit(k, [&](auto& s) { s.begin_typed(data, ctx); }); },
        [&](std::size_t k, std::size_t r0, std::size_t r1) { visit(k, [&](auto& s) { s.rows_typed(data, r0, r1); }); },
        [&](std::size_t k) { visit(k, [&](auto& s) { s.end_typed(data, ctx); }); },
        [&](std::size_t k) { visit(k, [&](auto& s) { s.fail(); }); }, ctx);
}

/// Run type-erased row stages fused over `data` (dynamic pipelines).
inline void run_fused_stages(const std::vector<RowStage*>& stages, AnyValue& data, Context& ctx) {
    detail::run_fused(
        stages.size(), [&] { return stages.front()->row_count(data); }, [&] { return stages.front()->block_rows(data); },
        [&](std::size_t k) { stages[k]->begin(data, ctx); }, [&](std::size_t k, std::size_t r0, std::size_t r1) { stages[k]->rows(data, r0, r1); },
        [&](std::size_t k) { stages[k]->end(data, ctx); }, [&](std::size_t k) { stages[k]->fail(); }, ctx);
}

// ---- the combinator ---------------------------------------------------------------

/// A chain element: the row steps S... fused (see the file comment). Built by fused().
template <class... S>
class Fused {
    static_assert(sizeof...(S) >= 2, "orrery: fused(...) takes two or more row steps");
    static_assert((RowStep<S> && ...),
                  "orrery: fused(...) takes row steps only (RowState, prepare, process_rows and product_traits<T>::rows)");

public:
    using data = step_input_t<std::tuple_element_t<0, std::tuple<S...>>>;
    static_assert((std::is_same_v<step_input_t<S>, data> && ...), "orrery: the steps of fused(...) must work on the same data type");
    using step_type = Fused;
    using input = data;
    using output = data;
    static constexpr std::size_t step_count = sizeof...(S);

    template <class PP>
    output run(input value, Context& ctx, const PP&) const {
        boost::hana::unpack(configs_, [&](const auto&... cfg) {
            if ((fusable(cfg) && ...)) {
                run_fused_steps(value, ctx, cfg...);
            } else {
                auto one = [&](const auto& c) {
                    ctx.advance_step();
                    value = run_step<typename std::remove_cvref_t<decltype(c)>::step_type_tag>(c, std::move(value), ctx);
                };
                (one(cfg), ...);
            }
        });
        return value;
    }
    template <class F>
    void for_each_step(F&& f) {
        boost::hana::unpack(configs_, [&](auto&... cfg) { (f(cfg), ...); });
    }
    template <class F>
    void for_each_step(F&& f) const {
        boost::hana::unpack(configs_, [&](const auto&... cfg) { (f(cfg), ...); });
    }

private:
    boost::hana::tuple<StepConfig<S>...> configs_;
};

/// Run the row steps fused, as one element of a chain: chain(A{}, fused(B{}, C{}), D{}).
template <class... S>
Fused<S...> fused(S...) {
    return {};
}

}  // namespace orrery
