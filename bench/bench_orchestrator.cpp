// What the orchestrator adds to each command stage, beyond the child process:
//   baseline  N x run_process(/bin/true)             (the child processes alone)
//   graph     a graph file of N command stages running /bin/true, in a chain, run
//             by run_graph_file with --jobs 1 (resolution, condition, cache check,
//             input/output hashing, executor, log file, two ledger records each)
//   cached    the same file again: every stage cached (no child at all)
// and the same for N stages that each declare one output (hashed and recorded).
// The per-stage overhead is (graph - baseline) / N; the budget is 5 ms.
// Every figure is the min and median of --repeat runs, variants interleaved.
//
//   bench_orchestrator [--repeat N] [--stages N] [--markdown FILE]
//
// ORRERY_BENCH_OWN_MAIN: this file has its own main().

// GCC 12 at -O3 reports a false -Wrestrict inside valijson's json_pointer string
// replacement (GCC bug 105329, std::string::replace inlined); not our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include "orrery/core/context.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/graph_file_loader.hpp"
#include "orrery/workflow/graph_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Figure {
    std::vector<double> runs;
    [[nodiscard]] double min() const { return *std::min_element(runs.begin(), runs.end()); }
    [[nodiscard]] double median() const {
        auto v = runs;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
};

std::string graph_text(int stages, bool outputs) {
    std::string g = "version: 1\nname: bench\nstages:\n";
    for (int i = 0; i < stages; ++i) {
        g += "  - id: s" + std::to_string(i) + "\n    command: /bin/true\n    runtime: exec\n";
        if (outputs) g += "    args: [out/s" + std::to_string(i) + ".txt]\n    outputs: {o: out/s" + std::to_string(i) + ".txt}\n";
        if (i > 0) g += "    needs: [s" + std::to_string(i - 1) + "]\n";
    }
    return g;
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 5, stages = 100;
    std::string markdown;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
        else if (a == "--stages" && i + 1 < argc) stages = std::atoi(argv[++i]);
        else if (a == "--markdown" && i + 1 < argc) markdown = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_orchestrator [--repeat N] [--stages N] [--markdown FILE]\n");
            return 2;
        }
    }
    const fs::path dir = fs::temp_directory_path() / ("orrery_bench_orchestrator_" + std::to_string(::getpid()));
    fs::create_directories(dir / "out");
    {
        std::ofstream(dir / "plain.yaml") << graph_text(stages, false);
        std::ofstream(dir / "outputs.yaml") << graph_text(stages, true);
    }
    // /bin/true does not write its argument: the "outputs" variant's files exist beforehand.
    for (int i = 0; i < stages; ++i) std::ofstream(dir / "out" / ("s" + std::to_string(i) + ".txt")) << i;
    const auto plain = orrery::workflow::load_graph_file(dir / "plain.yaml");
    const auto with_outputs = orrery::workflow::load_graph_file(dir / "outputs.yaml");

    Figure baseline, graph, graph_outputs, cached;
    for (int r = 0; r < repeat; ++r) {
        auto t0 = Clock::now();
        for (int i = 0; i < stages; ++i) {
            orrery::workflow::ProcessSpec spec;
            spec.program = "/bin/true";
            spec.log_file = dir / "baseline.log";
            if (!orrery::workflow::run_process(spec).ok()) return 1;
        }
        baseline.runs.push_back(seconds_since(t0));

        orrery::workflow::GraphRunOptions o;
        o.jobs = 1;
        o.force = true;
        o.global_config = false;
        o.ledger_dir = dir / "ledger";
        orrery::Context ctx;
        t0 = Clock::now();
        if (!orrery::workflow::run_graph_file(plain, o, ctx).ok()) return 1;
        graph.runs.push_back(seconds_since(t0));

        t0 = Clock::now();
        if (!orrery::workflow::run_graph_file(with_outputs, o, ctx).ok()) return 1;
        graph_outputs.runs.push_back(seconds_since(t0));

        o.force = false;
        t0 = Clock::now();
        const auto c = orrery::workflow::run_graph_file(with_outputs, o, ctx);
        cached.runs.push_back(seconds_since(t0));
        if (c.stages.front().status != "cached") return 1;
        fs::remove_all(dir / "ledger");  // the cache reads every ledger: keep the runs comparable
    }
    fs::remove_all(dir);

    char buf[2048];
    std::snprintf(buf, sizeof buf,
                  "| %d command stages (/bin/true), --jobs 1 | min s | median s | per stage, ms (median) |\n"
                  "|---|---|---|---|\n"
                  "| baseline: run_process x %d | %.3f | %.3f | %.2f |\n"
                  "| graph file, no outputs | %.3f | %.3f | %.2f |\n"
                  "| graph file, one output each (hashed) | %.3f | %.3f | %.2f |\n"
                  "| same, all cached (no child) | %.3f | %.3f | %.2f |\n\n"
                  "orchestrator overhead per command stage beyond the child: %.2f ms (no outputs), %.2f ms (one output)\n",
                  stages, stages, baseline.min(), baseline.median(), 1000 * baseline.median() / stages, graph.min(), graph.median(),
                  1000 * graph.median() / stages, graph_outputs.min(), graph_outputs.median(), 1000 * graph_outputs.median() / stages, cached.min(),
                  cached.median(), 1000 * cached.median() / stages, 1000 * (graph.median() - baseline.median()) / stages,
                  1000 * (graph_outputs.median() - baseline.median()) / stages);
    std::fputs(buf, stdout);
    if (!markdown.empty()) std::ofstream(markdown) << buf;
    return 0;
}
