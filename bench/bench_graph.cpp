// The graph engine's own cost, measured against plain loops in the same run:
//   (a) 1,000 trivial stages (int -> int), as a chain and as a layered DAG of
//       10 layers x 100 stages (each reads two stages of the layer before):
//       run_plan at concurrency 1 and 2 vs a plain loop calling the same functions
//       in dependency order, and vs a loop calling the plan's type-erased attempt
//       functions (what a stage costs before any scheduling);
//   (b) a fan-out over 1,000 elements whose per-element work is a fixed amount of
//       arithmetic (~75 us, calibrated at start): run_plan at concurrency 2 and 1
//       vs the same 1,000 calls serially in one thread, and vs a bare
//       tbb::parallel_for on two threads (what the machine gives right now).
// Every figure is the min and median of --repeat runs (wall clock), the variants
// interleaved in each repetition so that load from other processes hits them alike.
//
//   bench_graph [--repeat N] [--work-us US] [--part a|b] [--markdown FILE]
//
// --part runs only (a) or (b) (for a profiler).
// ORRERY_BENCH_OWN_MAIN: this file has its own main().

#include "orrery/graph/executor.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Seconds = std::chrono::duration<double>;
using orrery::AttemptCall;
using orrery::AttemptOutcome;
using orrery::GraphPlan;
using orrery::PlanNode;
using orrery::StageValue;

struct Samples {
    std::vector<double> s;
    [[nodiscard]] double min() const { return *std::min_element(s.begin(), s.end()); }
    [[nodiscard]] double median() const {
        auto v = s;
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    }
};

template <class F>
double time_it(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return Seconds(std::chrono::steady_clock::now() - t0).count();
}

// ---- (a) trivial stages ----------------------------------------------------------

// The trivial stage: the sum of its inputs plus one. noinline so that the plain loop
// pays a real call per stage, as every stage of a graph does.
[[gnu::noinline]] std::int64_t trivial(const std::int64_t* in, std::size_t n) {
    std::int64_t s = 1;
    for (std::size_t k = 0; k < n; ++k) s += in[k];
    return s;
}

/// A synthetic graph: for every stage, the stages it reads (all earlier in the list).
struct Shape {
    std::string name;
    std::vector<std::vector<std::size_t>> inputs;
};

Shape chain(std::size_t n) {
    Shape s{"chain", std::vector<std::vector<std::size_t>>(n)};
    for (std::size_t i = 1; i < n; ++i) s.inputs[i] = {i - 1};
    return s;
}

Shape layered(std::size_t layers, std::size_t width) {
    Shape s{"layered", std::vector<std::vector<std::size_t>>(layers * width)};
    for (std::size_t l = 1; l < layers; ++l)
        for (std::size_t k = 0; k < width; ++k)
            s.inputs[l * width + k] = {(l - 1) * width + k, (l - 1) * width + (k + 1) % width};
    return s;
}

GraphPlan plan_of(const Shape& shape) {
    GraphPlan plan{shape.name, {}};
    plan.nodes.reserve(shape.inputs.size());
    for (std::size_t i = 0; i < shape.inputs.size(); ++i) {
        PlanNode n;
        n.id = "s" + std::to_string(i);
        n.stage_type = "trivial";
        for (auto p : shape.inputs[i]) n.inputs.push_back({p, {}, false});
        n.run = [](AttemptCall& call) {
            std::int64_t in[4];
            std::size_t k = 0;
            for (const auto& v : call.inputs) in[k++] = *v->get<std::int64_t>();
            return AttemptOutcome::of(std::make_shared<orrery::AnyValue>(trivial(in, k)));
        };
        plan.nodes.push_back(std::move(n));
    }
    return plan;
}

/// The yardstick: the same functions called in dependency order (the list's order).
std::int64_t plain_loop(const Shape& shape, std::vector<std::int64_t>& values) {
    for (std::size_t i = 0; i < shape.inputs.size(); ++i) {
        std::int64_t in[4];
        std::size_t k = 0;
        for (auto p : shape.inputs[i]) in[k++] = values[p];
        values[i] = trivial(in, k);
    }
    return values.back();
}

/// The plan's own attempt functions in a loop: type erasure and allocation, no scheduling.
std::int64_t erased_loop(const GraphPlan& plan, orrery::Context& ctx, std::vector<StageValue>& values) {
    std::vector<StageValue> in;
    for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
        in.clear();
        for (const auto& p : plan.nodes[i].inputs) in.push_back(values[p.producer]);
        AttemptCall call{in, false, ctx, 1};
        values[i] = plan.nodes[i].run(call).value;
    }
    return *values.back()->get<std::int64_t>();
}

std::int64_t graph_run(const GraphPlan& plan, orrery::Context& ctx, int concurrency) {
    orrery::GraphOptions options;
    options.concurrency = concurrency;
    auto r = orrery::run_plan(plan, ctx, options);
    if (!r.ok()) {
        std::fprintf(stderr, "bench_graph: graph %s failed\n", plan.name.c_str());
        std::exit(1);
    }
    return r.output<std::int64_t>(plan.nodes.back().id);
}

// ---- (b) fan-out of CPU-bound elements ----------------------------------------------

// A fixed amount of arithmetic the compiler cannot remove: a serial chain of
// multiply-xorshift rounds seeded by the element, whose result is returned.
[[gnu::noinline]] std::uint64_t work(std::uint64_t seed, std::uint64_t rounds) {
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (std::uint64_t r = 0; r < rounds; ++r) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 27;
    }
    return x;
}

std::uint64_t calibrate(double target_us) {
    std::uint64_t rounds = 1000;
    for (;;) {
        volatile std::uint64_t sink = 0;
        double best = 1e9;
        for (int k = 0; k < 5; ++k) best = std::min(best, time_it([&] { sink = work(7, rounds); }));
        if (best > 2e-3) return static_cast<std::uint64_t>(static_cast<double>(rounds) * target_us * 1e-6 / best);
        rounds *= 4;
    }
}

GraphPlan fan_out_plan(std::uint64_t rounds) {
    PlanNode range;
    range.id = "elements";
    range.graph_input = true;
    PlanNode fan;
    fan.id = "work";
    fan.stage_type = "work";
    fan.inputs.push_back({0, {}, false});
    fan.split = [](const StageValue& r, bool) {
        std::vector<StageValue> out;
        for (auto v : *r->get<std::vector<std::uint64_t>>()) out.push_back(std::make_shared<orrery::AnyValue>(v));
        return out;
    };
    fan.gather = [](std::vector<StageValue>&& outs) {
        std::vector<std::uint64_t> v;
        v.reserve(outs.size());
        for (auto& o : outs) v.push_back(*o->get<std::uint64_t>());
        return std::make_shared<orrery::AnyValue>(std::move(v));
    };
    fan.run = [rounds](AttemptCall& call) {
        return AttemptOutcome::of(std::make_shared<orrery::AnyValue>(work(*call.inputs[0]->get<std::uint64_t>(), rounds)));
    };
    return GraphPlan{"fan_out", {std::move(range), std::move(fan)}};
}

std::uint64_t checksum(const std::vector<std::uint64_t>& v) {
    std::uint64_t s = 0;
    for (auto x : v) s ^= x + 0x9E3779B97F4A7C15ull + (s << 6) + (s >> 2);
    return s;
}

std::string fmt(const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

double load_average() {
    std::ifstream in("/proc/loadavg");
    double l = -1;
    in >> l;
    return l;
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 15;
    double work_us = 75;
    std::string markdown, part = "ab";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--work-us" && i + 1 < argc) work_us = std::atof(argv[++i]);
        else if (a == "--markdown" && i + 1 < argc) markdown = argv[++i];
        else if (a == "--part" && i + 1 < argc) part = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_graph [--repeat N] [--work-us US] [--part a|b] [--markdown FILE]\n");
            return 2;
        }
    }
    orrery::Context ctx;
    std::ostringstream table;
    table << "load average at start: " << fmt("%.2f", load_average()) << ", " << repeat << " repetitions\n\n";

    // (a) ------------------------------------------------------------------------------
    if (part.find('a') != std::string::npos) {
    table << "| 1,000 trivial stages | min per stage [us] | median per stage [us] | median x plain loop | median overhead per stage [us] |\n"
          << "|---|---:|---:|---:|---:|\n";
    for (const Shape& shape : {chain(1000), layered(10, 100)}) {
        const GraphPlan plan = plan_of(shape);
        const double n = static_cast<double>(shape.inputs.size());
        std::vector<std::int64_t> values(shape.inputs.size());
        std::vector<StageValue> erased(shape.inputs.size());
        const std::int64_t expected = plain_loop(shape, values);
        Samples plain, erased_t, g1, g2;
        std::int64_t got = 0;
        for (int r = 0; r < repeat; ++r) {
            // Each timed call is repeated inside so that a sample is long enough for the clock.
            plain.s.push_back(time_it([&] {
                for (int k = 0; k < 100; ++k) got = plain_loop(shape, values);
            }) / 100);
            if (got != expected) return 1;
            erased_t.s.push_back(time_it([&] { got = erased_loop(plan, ctx, erased); }));
            if (got != expected) return 1;
            g1.s.push_back(time_it([&] { got = graph_run(plan, ctx, 1); }));
            if (got != expected) return 1;
            g2.s.push_back(time_it([&] { got = graph_run(plan, ctx, 2); }));
            if (got != expected) return 1;
        }
        auto row = [&](const std::string& what, const Samples& s) {
            table << "| " << shape.name << ": " << what << " | " << fmt("%.3f", s.min() / n * 1e6) << " | " << fmt("%.3f", s.median() / n * 1e6)
                  << " | " << fmt("%.0f", s.median() / plain.median()) << " | " << fmt("%.3f", (s.median() - plain.median()) / n * 1e6) << " |\n";
        };
        row("plain loop", plain);
        row("plan's attempt functions in a loop", erased_t);
        row("run_plan, concurrency 1", g1);
        row("run_plan, concurrency 2", g2);
    }
    }

    // (b) ------------------------------------------------------------------------------
    if (part.find('b') != std::string::npos) {
    const std::uint64_t rounds = calibrate(work_us);
    constexpr std::size_t elements = 1000;
    std::vector<std::uint64_t> seeds(elements);
    for (std::size_t k = 0; k < elements; ++k) seeds[k] = k;
    std::vector<std::uint64_t> expected(elements);
    const GraphPlan plan = fan_out_plan(rounds);
    const StageValue input = std::make_shared<orrery::AnyValue>(seeds);
    Samples serial, raw, f2, f1;
    std::vector<std::uint64_t> raw_out(elements);
    tbb::task_arena two(2);
    for (int r = 0; r < repeat; ++r) {
        serial.s.push_back(time_it([&] {
            for (std::size_t k = 0; k < elements; ++k) expected[k] = work(seeds[k], rounds);
        }));
        // What two threads give on this machine right now, without the engine.
        raw.s.push_back(time_it([&] {
            two.execute([&] {
                tbb::parallel_for(tbb::blocked_range<std::size_t>(0, elements, 1), [&](const tbb::blocked_range<std::size_t>& b) {
                    for (std::size_t k = b.begin(); k != b.end(); ++k) raw_out[k] = work(seeds[k], rounds);
                });
            });
        }));
        if (raw_out != expected) return 1;
        for (int c : {2, 1}) {
            orrery::GraphOptions options;
            options.concurrency = c;
            orrery::GraphResult result;
            (c == 2 ? f2 : f1).s.push_back(time_it([&] { result = orrery::run_plan(plan, ctx, options, input); }));
            if (!result.ok() || checksum(result.output<std::vector<std::uint64_t>>("work")) != checksum(expected)) {
                std::fprintf(stderr, "bench_graph: the fan-out's result differs from the serial loop's\n");
                return 1;
            }
        }
    }
    table << "\n| fan-out, 1,000 elements of " << fmt("%.0f", serial.min() / elements * 1e6)
          << " us | min [ms] | median [ms] | throughput x serial (min / min) | throughput x serial (median / median) |\n"
          << "|---|---:|---:|---:|---:|\n";
    auto row = [&](const std::string& what, const Samples& s) {
        table << "| " << what << " | " << fmt("%.1f", s.min() * 1e3) << " | " << fmt("%.1f", s.median() * 1e3) << " | "
              << fmt("%.2f", serial.min() / s.min()) << " | " << fmt("%.2f", serial.median() / s.median()) << " |\n";
    };
    row("serial loop, one thread", serial);
    row("tbb::parallel_for, 2 threads (no engine)", raw);
    row("run_plan fan-out, concurrency 1", f1);
    row("run_plan fan-out, concurrency 2", f2);
    }
    table << "\nload average at end: " << fmt("%.2f", load_average()) << "\n";

    std::fputs(table.str().c_str(), stdout);
    if (!markdown.empty()) std::ofstream(markdown) << table.str();
    return 0;
}
