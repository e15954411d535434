// The core's cost: a 4-step numeric pipeline over a 64 MiB float array, run as
//   hand-written fused loop  (the yardstick: one pass, everything in registers)
//   static pipeline          (orrery::fused(...): row steps block by block, inlined)
//   dynamic pipeline         (the same steps by name, type-erased, also fused: "a+b+c+d")
//   static, unfused          (the same row steps, not fused: one pass per step)
// single-threaded, so the ratios measure the framework and not the scheduler.
//
//   signal --scale--> --offset--> --clamp--> --soft_sqrt--> signal

#include "orrery/orrery.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

namespace bench {

struct Signal {
    std::vector<float> v;
};
constexpr std::size_t row_length = 4096;

}  // namespace bench

template <>
struct orrery::product_traits<bench::Signal> {
    static constexpr bool saveable = false;
    static constexpr bool loadable = false;
    static std::size_t rows(const bench::Signal& s) { return s.v.size() / bench::row_length; }
    static std::size_t row_bytes(const bench::Signal&) { return bench::row_length * sizeof(float); }
    static void record_status(bench::Signal&, std::string_view, StepStatus) {}
    static void record_reference(bench::Signal&, std::string_view, std::string_view) {}
    static std::string filename(const bench::Signal&) { return {}; }
};

namespace bench {

// A row step whose per-element work is `op` (the framework derives its process).
template <class Derived, class P>
struct ElementwiseStep {
    using Params = P;
    struct RowState {};
    static RowState prepare(Signal&, const P&, orrery::Context&) { return {}; }
    static void process_rows(Signal& s, const RowState&, const P& p, std::size_t r0, std::size_t r1) {
        float* x = s.v.data();
        const P local = p;  // a local copy: the compiler need not reload it after each store through x
        for (std::size_t i = r0 * row_length, e = r1 * row_length; i < e; ++i) x[i] = Derived::op(x[i], local);
    }
};

struct ScaleParams {
    float factor = 1.5f;
    ORRERY_REFLECT(ScaleParams, (factor, "Multiply by"))
};
struct Scale : ElementwiseStep<Scale, ScaleParams> {
    static constexpr std::string_view name = "bench_scale";
    static float op(float x, const Params& p) { return x * p.factor; }
};
struct OffsetParams {
    float offset = -0.25f;
    ORRERY_REFLECT(OffsetParams, (offset, "Add"))
};
struct Offset : ElementwiseStep<Offset, OffsetParams> {
    static constexpr std::string_view name = "bench_offset";
    static float op(float x, const Params& p) { return x + p.offset; }
};
struct ClampParams {
    float low = 0.0f, high = 1.0f;
    ORRERY_REFLECT(ClampParams, (low, "Lower limit"), (high, "Upper limit"))
};
struct Clamp : ElementwiseStep<Clamp, ClampParams> {
    static constexpr std::string_view name = "bench_clamp";
    static float op(float x, const Params& p) { return x < p.low ? p.low : (x > p.high ? p.high : x); }
};
struct SoftSqrt : ElementwiseStep<SoftSqrt, orrery::NoParams> {
    static constexpr std::string_view name = "bench_soft_sqrt";
    static float op(float x, const Params&) { return std::sqrt(x + 1.0f); }
};

Signal make_signal() {
    Signal s;
    s.v.resize(16u << 20);  // 64 MiB
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-0.5f, 1.5f);
    for (auto& x : s.v) x = u(rng);
    return s;
}

struct Quiet : orrery::Context {
    Quiet() {
        set_logger(std::make_shared<orrery::NullLogger>());
        set_max_threads(1);
    }
};

void BM_hand_fused(benchmark::State& state) {
    Signal s = make_signal();
    const ScaleParams sp;
    const OffsetParams op;
    const ClampParams cp;
    for (auto _ : state) {
        float* x = s.v.data();
        for (std::size_t i = 0, n = s.v.size(); i < n; ++i) {
            float y = x[i] * sp.factor + op.offset;
            y = y < cp.low ? cp.low : (y > cp.high ? cp.high : y);
            x[i] = std::sqrt(y + 1.0f);
        }
        benchmark::DoNotOptimize(x);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.v.size() * sizeof(float) * 2));
}

void BM_static(benchmark::State& state) {
    Quiet ctx;
    auto p = orrery::pipeline<"bench">(orrery::fused(Scale{}, Offset{}, Clamp{}, SoftSqrt{}));
    Signal s = make_signal();
    for (auto _ : state) {
        s = p.run(std::move(s), ctx);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.v.size() * sizeof(float) * 2));
}

void BM_dynamic(benchmark::State& state) {
    Quiet ctx;
    auto p = orrery::DynamicPipeline::from_names({"bench_scale+bench_offset+bench_clamp+bench_soft_sqrt"});
    orrery::AnyValue v(make_signal());
    for (auto _ : state) {
        v = p.run(std::move(v), ctx);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (16u << 20) * sizeof(float) * 2));
}

void BM_static_unfused(benchmark::State& state) {
    Quiet ctx;
    auto p = orrery::pipeline<"bench_plain">(Scale{}, Offset{}, Clamp{}, SoftSqrt{});
    Signal s = make_signal();
    for (auto _ : state) {
        s = p.run(std::move(s), ctx);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.v.size() * sizeof(float) * 2));
}

}  // namespace bench

ORRERY_REGISTER_STEP(bench::Scale)
ORRERY_REGISTER_STEP(bench::Offset)
ORRERY_REGISTER_STEP(bench::Clamp)
ORRERY_REGISTER_STEP(bench::SoftSqrt)

BENCHMARK(bench::BM_hand_fused)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(bench::BM_static)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(bench::BM_dynamic)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(bench::BM_static_unfused)->Unit(benchmark::kMillisecond)->MinTime(1.0);
