// detector1_batch: calwebb_detector1 on several exposures at once, then their mean
// rate image and a summary table, as a graph of registered stages:
//
//   input: std::vector<path> --detector1_exposure, fanned out--> "rates": std::vector<RateModel>
//                            --combine_rates-->                  "summary": BatchSummary
//
// The exposures run in parallel (--concurrency of them at once); each one's steps
// share the thread budget (--threads). Writes DIR/batch_mean_rate.fits (SCI: the
// per-pixel mean rate) and DIR/batch_summary.csv (name, median rate, fraction of
// flagged pixels).
//
//   detector1_batch [options] UNCAL...       the given _uncal files
//   detector1_batch --simulate N [options]   N small simulated exposures, written first
//                                            to DIR/exposures/exp<k>/ (each with its ref/)

#include "batch_stages.hpp"

#include "orrery/graph/dynamic_graph.hpp"
#include "orrery/jwst/simulate.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const char* usage =
    "usage: detector1_batch [options] UNCAL...\n"
    "       detector1_batch --simulate N [options]\n"
    "  --output-dir DIR    where the mean rate and the table go (default: batch)\n"
    "  --ref-dir DIR       reference directory for every exposure (default: ref/ next to each file)\n"
    "  --concurrency N     exposures processed at once (default: 2)\n"
    "  --threads N         threads the steps share (default: all cores)\n"
    "  --simulate N        simulate N exposures (seeds 1..N) into DIR/exposures and process them\n"
    "  --size NYxNX        size of the simulated exposures (default: 64x64)\n"
    "  --quiet             no log lines from the steps\n";

struct Request {
    std::vector<fs::path> exposures;
    fs::path output_dir = "batch";
    std::string ref_dir;
    int concurrency = 2;
    int threads = 0;
    int simulate = 0;
    int ny = 64, nx = 64;
    bool quiet = false;
};

int to_int(const std::string& flag, const std::string& v) {
    try {
        std::size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size() && n >= 0) return n;
    } catch (const std::exception&) {
    }
    throw orrery::UsageError(flag + " needs a non-negative integer, got '" + v + "'");
}

Request parse(int argc, char** argv) {
    Request r;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::cout << usage;
            std::exit(0);
        }
        if (a == "--quiet") {
            r.quiet = true;
            continue;
        }
        if (a.rfind("--", 0) != 0) {
            r.exposures.emplace_back(a);
            continue;
        }
        if (i + 1 >= argc) throw orrery::UsageError("missing value for " + a + "\n" + usage);
        const std::string v = argv[++i];
        if (a == "--output-dir") r.output_dir = v;
        else if (a == "--ref-dir") r.ref_dir = v;
        else if (a == "--concurrency") r.concurrency = std::max(1, to_int(a, v));
        else if (a == "--threads") r.threads = to_int(a, v);
        else if (a == "--simulate") r.simulate = to_int(a, v);
        else if (a == "--size") {
            const auto x = v.find('x');
            r.ny = to_int(a, v.substr(0, x));
            r.nx = x == std::string::npos ? r.ny : to_int(a, v.substr(x + 1));
        } else
            throw orrery::UsageError("unknown option '" + a + "'\n" + usage);
    }
    if (r.simulate == 0 && r.exposures.empty()) throw orrery::UsageError(std::string("no exposures given\n") + usage);
    return r;
}

/// N small exposures, each in its own directory with the references that match it.
std::vector<fs::path> simulate(const Request& r) {
    std::vector<fs::path> out;
    for (int k = 1; k <= r.simulate; ++k) {
        orrery::jwst::SimulationConfig c;
        c.name = "exp" + std::to_string(k);
        c.ny = r.ny;
        c.nx = r.nx;
        c.ngroups = 5;
        c.seed = static_cast<std::uint64_t>(k);
        c.n_saturating_stars = 2;
        out.push_back(orrery::jwst::write_simulated_exposure(r.output_dir / "exposures" / c.name, c).uncal);
    }
    return out;
}

/// The batch as a graph of registered stage types: validated (stage types, edge
/// types, the fan-out's range) before any exposure is read.
orrery::DynamicGraph batch_graph(const std::string& ref_dir) {
    orrery::ParamNode exposure = orrery::ParamNode::map();
    if (!ref_dir.empty()) exposure.set("ref_dir", orrery::ParamNode::scalar(ref_dir, "--ref-dir"));
    orrery::DynamicGraph g("detector1_batch");
    g.add({.id = "rates", .type = "detector1_exposure", .needs = {"input"}, .parameters = exposure, .fan_out = true});
    g.add({.id = "summary", .type = "combine_rates", .needs = {"rates"}});
    return g;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Request r = parse(argc, argv);
        fs::create_directories(r.output_dir);
        if (r.simulate > 0) {
            auto simulated = simulate(r);
            r.exposures.insert(r.exposures.end(), simulated.begin(), simulated.end());
        }

        orrery::Context ctx;
        ctx.set_logger(std::make_shared<orrery::StreamLogger>(stderr, r.quiet ? orrery::LogLevel::warning : orrery::LogLevel::info));
        ctx.set_parallel_for(orrery::tbb_parallel_for());
        if (r.threads > 0) ctx.set_max_threads(r.threads);
        orrery::GraphOptions options;
        options.concurrency = r.concurrency;

        const auto result = batch_graph(r.ref_dir).run(ctx, options, orrery::AnyValue(r.exposures));
        for (const auto& s : result.stages)
            std::cout << "stage " << s.id << ": " << orrery::stage_status_text(s.status) << " in " << s.seconds << " s"
                      << (s.message.empty() ? "" : " (" + s.message + ")") << "\n";
        if (!result.ok()) {
            for (const auto& s : result.stages)
                for (const auto& e : s.element_failures)
                    std::cerr << "detector1_batch: " << r.exposures[e.index].string() << ": " << e.failure.message << "\n";
            return 1;
        }
        const auto& summary = result.output<detector1_batch::BatchSummary>("summary");
        detector1_batch::write_mean(summary, r.output_dir / "batch_mean_rate.fits");
        detector1_batch::write_table(summary, r.output_dir / "batch_summary.csv");
        std::cout << "mean rate: " << (r.output_dir / "batch_mean_rate.fits").string() << "\n"
                  << "summary:   " << (r.output_dir / "batch_summary.csv").string() << "\n";
        for (const auto& e : summary.exposures)
            std::printf("  %-24s median %10.4f DN/s, %5.2f%% flagged\n", e.name.c_str(), e.median_rate, 100.0 * e.flagged_fraction);
        return 0;
    } catch (const orrery::Error& e) {
        std::cerr << "detector1_batch: " << e.what() << "\n";
        return orrery::exit_code(e.category());
    } catch (const std::exception& e) {
        std::cerr << "detector1_batch: " << e.what() << "\n";
        return 1;
    }
}
