// calwebb_detector1 speed on a simulated full-frame NIRCam exposure (2048 x 2048,
// 10 groups, 1 and 2 integrations, cosmic rays and saturating stars), in one run:
//   - a memory-bandwidth baseline: one read pass over the float32 SCI cube;
//   - every step alone, on the ramp as the chain hands it over;
//   - the static calwebb_detector1 chain, compute only (ramp in memory, references cached);
//   - the same chain as a dynamic pipeline built from registered step names;
//   - end to end in a fresh process: read _uncal.fits, process, write rate + rateints,
//     through the orrery CLI (`orrery strun calwebb_detector1 ...`) when it can run
//     the pipeline, else the same work in-process (said in the table); peak RSS of
//     that process from wait4().
// Each figure is the min and median of --repeat runs (wall clock); the CPU time of the
// best run is shown so that a loaded machine is visible.
//
//   bench_detector1 [--ints 1,2] [--repeat N] [--threads N] [--maximum-cores all|1|...]
//                   [--dir DIR] [--cli PATH|none] [--no-steps] [--markdown FILE]
//
// --maximum-cores is what jump and ramp_fit get (their stpipe parameter: the threads
// they use, capped by --threads; default "all"). --dir keeps the simulated files there
// and reuses them on the next run. ORRERY_BENCH_OWN_MAIN: this file has its own main().

#include "orrery/parallel/tbb_parallel_for.hpp"
#include "orrery/jwst.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/rate_io.hpp"
#include "orrery/jwst/simulate.hpp"
#include "support/malloc_policy.hpp"  // programs opt in to the allocator policy

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace orrery;
using namespace orrery::jwst;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Stats {
    std::vector<double> wall;
    double cpu_of_best = 0;
    std::string note;
    [[nodiscard]] bool empty() const { return wall.empty(); }
    [[nodiscard]] double min() const { return *std::min_element(wall.begin(), wall.end()); }
    [[nodiscard]] double median() const {
        std::vector<double> w = wall;
        std::sort(w.begin(), w.end());
        const std::size_t n = w.size();
        return n % 2 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
    }
    void add(double wall_s, double cpu_s) {
        if (wall.empty() || wall_s < min()) cpu_of_best = cpu_s;
        wall.push_back(wall_s);
    }
};

/// Time `run` `repeat` times; `setup` (untimed) runs before each.
Stats measure(int repeat, const std::function<void()>& setup, const std::function<void()>& run) {
    Stats s;
    for (int r = 0; r < repeat; ++r) {
        setup();
        const double c0 = cpu_seconds();
        const auto t0 = Clock::now();
        run();
        s.add(seconds_since(t0), cpu_seconds() - c0);
    }
    return s;
}

struct Options {
    std::vector<int> ints{1, 2};
    int repeat = 5;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string maximum_cores = "all";
    fs::path dir;
    std::string cli;  // "" = look next to this program, "none" = in-process only
    bool steps = true;
    fs::path markdown;
};

void setup_context(Context& ctx, const fs::path& ref_dir, int threads) {
    ctx.set_logger(std::make_shared<NullLogger>());
    ctx.set_max_threads(threads);
    ctx.set_parallel_for(tbb_parallel_for());
    orrery::stpipe::use_reference_dir(ctx, ref_dir);
}

/// The configuration every timed run uses: NIRCam has no IPC reference (CRDS gives N/A),
/// jump and ramp_fit get --maximum-cores.
ParamNode bench_config(const std::string& maximum_cores) {
    ParamNode t = ParamNode::map();
    t.set_path("steps.ipc.override_ipc", ParamNode::scalar("N/A", "bench"));
    t.set_path("steps.jump.maximum_cores", ParamNode::scalar(maximum_cores, "bench"));
    t.set_path("steps.ramp_fit.maximum_cores", ParamNode::scalar(maximum_cores, "bench"));
    return t;
}

/// The near-IR calwebb_detector1 order as registered step names (the dynamic pipeline).
/// calwebb_detector1 by name, fused where the static definition fuses ("a+b").
const std::vector<std::string> detector1_names = {"group_scale+dq_init", "saturation",       "ipc",  "superbias",     "refpix",
                                                  "linearity+dark_current", "charge_migration", "jump", "picture_frame", "clean_flicker_noise",
                                                  "persistence",         "ramp_fit",         "gain_scale"};

/// One-pass read of the float32 cube: XOR of its 32-bit words (vectorises without
/// reassociating float additions), over `threads` threads.
std::uint64_t read_pass(const float* data, std::size_t n, int threads, const Context& ctx) {
    std::atomic<std::uint64_t> acc{0};
    const std::size_t chunk = 1 << 20;  // 4 MB of floats
    const std::size_t chunks = (n + chunk - 1) / chunk;
    auto body = [&](std::size_t c0, std::size_t c1) {
        std::uint64_t x = 0;
        for (std::size_t c = c0; c < c1; ++c) {
            const std::size_t b = c * chunk, e = std::min(n, b + chunk);
            std::uint32_t w = 0;
            for (std::size_t k = b; k < e; ++k) {
                std::uint32_t v;
                std::memcpy(&v, data + k, 4);
                w ^= v;
            }
            x ^= w;
        }
        acc ^= x;
    };
    if (threads <= 1) body(0, chunks);
    else ctx.parallel_for(chunks, body);
    return acc.load();
}

struct Row {
    std::string label;
    std::map<int, Stats> by_ints;
};

void put_row(std::vector<Row>& rows, const std::string& label, int nints, const Stats& s) {
    for (auto& r : rows)
        if (r.label == label) {
            r.by_ints[nints] = s;
            return;
        }
    rows.push_back({label, {{nints, s}}});
}

struct EndToEnd {
    Stats wall;
    long max_rss_kb = 0;
    std::string how;
    std::string breakdown;  // child's own read/compute/write split
};

/// Spawn `argv`, wait, return wall seconds; peak RSS (kB) of the child in `rss`; stdout to `out_file`.
/// The launcher side of spawn_and_wait: run argv[0..] as a child of this (small, freshly
/// started) process and write the child's peak RSS [KiB] to `rss_file`.
int rss_launch(const char* rss_file, char** argv) {
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ) != 0) return 127;
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    std::ofstream(rss_file) << ru.ru_maxrss << "\n";
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/// Run `args`, output to `out_file`; wall time returned, peak RSS [KiB] in `rss`.
/// The program runs under a launcher (this binary with --rss-launch): the kernel's peak
/// RSS of a process spawned from this one would include this process's own resident
/// memory at the fork (ru_maxrss survives exec), i.e. the whole benchmark's arrays.
double spawn_and_wait(const std::vector<std::string>& program, long& rss, int& status, const fs::path& out_file) {
    const fs::path rss_file = out_file.string() + ".rss";
    std::vector<std::string> args{fs::read_symlink("/proc/self/exe").string(), "--rss-launch", rss_file.string()};
    args.insert(args.end(), program.begin(), program.end());
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    const auto t0 = Clock::now();
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        status = -1;
        return 0;
    }
    posix_spawn_file_actions_destroy(&fa);
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    const double wall = seconds_since(t0);
    std::ifstream in(rss_file);
    if (!(in >> rss)) rss = 0;
    return wall;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Seconds each step reports (finish/skip events) during one pipeline run. Fused row
/// steps report the time summed over their blocks (all threads).
struct StepTimes : Observer {
    std::vector<std::pair<std::string, double>> seconds;
    void on_event(const StepEvent& e) override {
        if (e.kind != StepEvent::Kind::start && !e.alias.empty()) seconds.emplace_back(e.alias + (e.kind == StepEvent::Kind::skip ? " (skipped)" : ""), e.seconds);
    }
};

/// Peak resident set so far [MiB] (VmHWM), to see which phase sets the peak.
double peak_rss_mib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

/// In-process end to end (the child side of --e2e-child).
int end_to_end_child(const fs::path& uncal, const fs::path& ref_dir, const fs::path& out_dir, int threads, const std::string& cores) {
    return_large_blocks_on_free();  // as the command line does
    Context ctx;
    setup_context(ctx, ref_dir, threads);
    auto times = std::make_shared<StepTimes>();
    ctx.add_observer(times);
    auto p = make_pipeline<Detector1Pipeline>();
    p.configure(bench_config(cores));
    const auto t0 = Clock::now();
    RampModel ramp = io::read_ramp(uncal);
    const double t_read = seconds_since(t0);
    const double rss_read = peak_rss_mib();
    const auto t1 = Clock::now();
    RateProducts out = p.run(std::move(ramp), ctx);
    const double t_run = seconds_since(t1);
    const double rss_run = peak_rss_mib();
    const auto t2 = Clock::now();
    fs::create_directories(out_dir);
    const std::string root = uncal.stem().string().substr(0, uncal.stem().string().rfind("_uncal"));
    io::write_rate(out.rate, out_dir / (root + "_rate.fits"));
    io::write_rateints(out.rateints, out_dir / (root + "_rateints.fits"));
    const double t_write = seconds_since(t2);
    std::printf("read %.3f s, references + compute %.3f s, write %.3f s (", t_read, t_run, t_write);
    for (const auto& [alias, sec] : times->seconds)
        if (alias.find("skipped") == std::string::npos) std::printf(" %s %.3f", alias.c_str(), sec);
    std::printf(" ); peak RSS after read %.0f MiB, after compute %.0f MiB, after write %.0f MiB\n", rss_read, rss_run, peak_rss_mib());
    return 0;
}

/// Whether `cli` runs calwebb_detector1 (the jwst layer is linked in).
bool cli_has_detector1(const std::string& cli, const fs::path& scratch) {
    if (cli.empty() || !fs::exists(cli)) return false;
    long rss = 0;
    int status = 0;
    spawn_and_wait({cli, "describe", "calwebb_detector1"}, rss, status, scratch);
    return status == 0;
}

EndToEnd end_to_end(const Options& o, const SimulatedFiles& files, const fs::path& work, int nints) {
    EndToEnd e;
    const fs::path out_dir = work / ("out_n" + std::to_string(nints));
    const fs::path log = work / ("e2e_n" + std::to_string(nints) + ".log");
    const fs::path ref_dir = files.uncal.parent_path() / "ref";
    const bool via_cli = cli_has_detector1(o.cli, log);
    std::vector<std::string> args;
    if (via_cli) {
        args = {o.cli, "strun", "calwebb_detector1", files.uncal.string(), "--ref-dir", ref_dir.string(), "--output_dir", out_dir.string(),
                "--steps.ipc.override_ipc=N/A", "--steps.jump.maximum_cores=" + o.maximum_cores,
                "--steps.ramp_fit.maximum_cores=" + o.maximum_cores, "--no-progress"};
        e.how = "orrery strun (CLI)";
    } else {
        args = {fs::read_symlink("/proc/self/exe").string(), "--e2e-child", files.uncal.string(), ref_dir.string(), out_dir.string(),
                std::to_string(o.threads), o.maximum_cores};
        e.how = "in-process (read_ramp + pipeline + write_rate/write_rateints; CLI not usable)";
    }
    for (int r = 0; r < o.repeat; ++r) {
        fs::remove_all(out_dir);
        long rss = 0;
        int status = 0;
        const double wall = spawn_and_wait(args, rss, status, log);
        if (status != 0) {
            e.how += " FAILED (see " + log.string() + ")";
            std::fprintf(stderr, "end to end failed:\n%s\n", slurp(log).c_str());
            break;
        }
        // The in-process child prints one line (read/compute/write split); strun's log is
        // its whole INFO stream, left in the file rather than in the table.
        if (e.wall.empty() || wall < e.wall.min()) e.breakdown = via_cli ? "strun's log (last run): " + log.string() : "best run: " + slurp(log);
        e.wall.add(wall, 0);
        e.max_rss_kb = std::max(e.max_rss_kb, rss);
        if (!fs::exists(out_dir / (files.uncal.stem().string().substr(0, files.uncal.stem().string().rfind("_uncal")) + "_rate.fits")))
            e.how += " (no _rate.fits written!)";
    }
    while (!e.breakdown.empty() && (e.breakdown.back() == '\n')) e.breakdown.pop_back();
    return e;
}

/// Simulated exposure files for `nints` integrations (reused from --dir when present).
SimulatedFiles simulated_files(const fs::path& work, int nints, double& seconds) {
    SimulationConfig c;
    c.name = "bench_n" + std::to_string(nints);
    c.nints = nints;
    const fs::path dir = work / c.name;
    SimulatedFiles f;
    f.uncal = dir / (c.name + "_uncal.fits");
    seconds = 0;
    if (fs::exists(f.uncal) && fs::exists(dir / "ref" / "readnoise.fits")) return f;
    const auto t0 = Clock::now();
    f = write_simulated_exposure(dir, c);
    seconds = seconds_since(t0);
    return f;
}

// ---- each step alone ---------------------------------------------------------

template <class S, class In>
auto time_step(const Options& o, Context& ctx, const In& input, Stats& stats) {
    auto p = orrery::pipeline<"bench_step">(S{});
    ParamNode cfg = bench_config(o.maximum_cores);
    ParamNode mine = ParamNode::map();
    if (const ParamNode* s = cfg.find("steps"); s && s->contains(S::name)) mine.set_path("steps." + std::string(S::name), *s->find(S::name));
    p.configure(mine);
    using Out = typename decltype(p)::output;
    (void)p.run(input, ctx);  // warm-up: loads and caches the references
    std::optional<In> copy;
    std::optional<Out> out;
    stats = measure(
        o.repeat,
        [&] {
            out.reset();
            copy.emplace(input);
        },
        [&] { out.emplace(p.run(std::move(*copy), ctx)); });
    return std::move(*out);
}

void per_step_rows(const Options& o, Context& ctx, RampModel ramp, std::vector<Row>& rows, int nints) {
    auto step = [&]<class S>(S) {
        Stats s;
        ramp = time_step<S>(o, ctx, ramp, s);
        const auto it = ramp.provenance.cal_step.find(std::string(step_traits<S>::status_key));
        if (it != ramp.provenance.cal_step.end() && it->second == "SKIPPED") s.note = "skipped";
        put_row(rows, std::string(S::name), nints, s);
    };
    step(GroupScaleStep{});
    step(DQInitStep{});
    step(SaturationStep{});
    step(IPCStep{});
    step(SuperBiasStep{});
    step(RefPixStep{});
    step(LinearityStep{});
    step(DarkCurrentStep{});
    step(JumpStep{});
    Stats s;
    RateProducts products = time_step<RampFitStep>(o, ctx, ramp, s);
    put_row(rows, "ramp_fit", nints, s);
    Stats g;
    products = time_step<GainScaleStep>(o, ctx, products, g);
    if (products.rate.provenance.cal_step["gain_scale"] == "SKIPPED") g.note = "skipped";
    put_row(rows, "gain_scale", nints, g);
}

std::string fmt(double v, const char* f = "%.3f") {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::string(argv[1]) == "--rss-launch") return rss_launch(argv[2], argv + 3);
    if (argc >= 7 && std::string(argv[1]) == "--e2e-child") {
        try {
            return end_to_end_child(argv[2], argv[3], argv[4], std::atoi(argv[5]), argv[6]);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "end to end: %s\n", e.what());
            return 1;
        }
    }
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench_detector1: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--ints") {
            o.ints.clear();
            std::stringstream s(next());
            for (std::string t; std::getline(s, t, ',');) o.ints.push_back(std::max(1, std::atoi(t.c_str())));
        } else if (a == "--repeat") o.repeat = std::max(1, std::atoi(next().c_str()));
        else if (a == "--threads") o.threads = std::max(1, std::atoi(next().c_str()));
        else if (a == "--maximum-cores") o.maximum_cores = next();
        else if (a == "--dir") o.dir = next();
        else if (a == "--cli") o.cli = next();
        else if (a == "--no-steps") o.steps = false;
        else if (a == "--markdown") o.markdown = next();
        else {
            std::fprintf(stderr, "usage: bench_detector1 [--ints 1,2] [--repeat N] [--threads N] [--maximum-cores V] [--dir DIR] [--cli PATH|none] [--no-steps] [--markdown FILE]\n");
            return 2;
        }
    }
    const fs::path self_dir = fs::read_symlink("/proc/self/exe").parent_path();
    if (o.cli.empty()) o.cli = (self_dir / "orrery").string();
    if (o.cli == "none") o.cli.clear();
    const bool temporary = o.dir.empty();
    const fs::path work = temporary ? fs::temp_directory_path() / ("orrery_bench_detector1_" + std::to_string(::getpid())) : o.dir;
    fs::create_directories(work);

    std::vector<Row> rows;
    std::map<int, EndToEnd> e2e;
    std::map<int, double> ramp_mb;
    std::map<int, Stats> bandwidth1, bandwidthN;
    std::string sim_note;
    std::map<int, std::vector<std::pair<std::string, double>>> inside;
    int status = 0;
    try {
        for (int nints : o.ints) {
            double sim_s = 0;
            const SimulatedFiles files = simulated_files(work, nints, sim_s);
            if (sim_s > 0) sim_note += "simulated nints=" + std::to_string(nints) + " in " + fmt(sim_s, "%.1f") + " s; ";
            const fs::path ref_dir = files.uncal.parent_path() / "ref";
            std::fprintf(stderr, "[nints=%d] %s\n", nints, files.uncal.c_str());
            Context ctx;
            setup_context(ctx, ref_dir, o.threads);
            ctx.set_reference_retention(ReferenceRetention::keep);  // compute only: references read once, by the warm-ups
            const RampModel raw = io::read_ramp(files.uncal);
            ramp_mb[nints] = static_cast<double>(raw.sci.size() * sizeof(float)) / 1e6;

            // Bandwidth baseline on the raw SCI cube (already in memory).
            std::uint64_t sink = 0;
            sink ^= read_pass(raw.sci.data(), raw.sci.size(), 1, ctx);
            bandwidth1[nints] = measure(o.repeat * 2, [] {}, [&] { sink ^= read_pass(raw.sci.data(), raw.sci.size(), 1, ctx); });
            bandwidthN[nints] = measure(o.repeat * 2, [] {}, [&] { sink ^= read_pass(raw.sci.data(), raw.sci.size(), o.threads, ctx); });
            if (sink == 0x12345) std::fprintf(stderr, " ");

            if (o.steps) {
                std::fprintf(stderr, "[nints=%d] steps alone\n", nints);
                per_step_rows(o, ctx, raw, rows, nints);
            }

            // Static chain, compute only.
            std::fprintf(stderr, "[nints=%d] static chain\n", nints);
            auto p = make_pipeline<Detector1Pipeline>();
            p.configure(bench_config(o.maximum_cores));
            std::optional<RampModel> in;
            std::optional<RateProducts> out;
            out.emplace(p.run(raw, ctx));  // warm-up (references into the cache)
            Stats st = measure(
                o.repeat,
                [&] {
                    out.reset();
                    in.emplace(raw);
                },
                [&] { out.emplace(p.run(std::move(*in), ctx)); });
            const RateProducts static_out = std::move(*out);
            out.reset();
            {  // where the time goes inside the chain (one more run, with an observer)
                Context octx;  // its own context: the observer must not slow the other runs
                setup_context(octx, ref_dir, o.threads);
                octx.set_reference_retention(ReferenceRetention::keep);
                auto times = std::make_shared<StepTimes>();
                octx.add_observer(times);
                out.emplace(p.run(raw, octx));  // loads the references
                out.reset();
                times->seconds.clear();
                out.emplace(p.run(raw, octx));
                out.reset();
                inside[nints] = times->seconds;
            }

            // Dynamic pipeline from registered names, same configuration.
            std::fprintf(stderr, "[nints=%d] dynamic chain\n", nints);
            DynamicPipeline dyn = DynamicPipeline::from_names(detector1_names, "calwebb_detector1_dynamic");
            dyn.configure(bench_config(o.maximum_cores));
            out.emplace(dyn.run_as<RateProducts>(raw, ctx));
            Stats dy = measure(
                o.repeat,
                [&] {
                    out.reset();
                    in.emplace(raw);
                },
                [&] { out.emplace(dyn.run_as<RateProducts>(std::move(*in), ctx)); });
            const bool same = out->rate.sci.size() == static_out.rate.sci.size() &&
                              std::memcmp(out->rate.sci.data(), static_out.rate.sci.data(), out->rate.sci.size() * 4) == 0 &&
                              out->rate.dq == static_out.rate.dq;
            if (!same) dy.note = "DIFFERS from static!";
            out.reset();
            in.reset();
            put_row(rows, "static chain (compute only)", nints, st);
            put_row(rows, "dynamic pipeline (compute only)", nints, dy);

            std::fprintf(stderr, "[nints=%d] end to end\n", nints);
            e2e[nints] = end_to_end(o, files, work, nints);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_detector1: %s\n", e.what());
        status = 1;
    }
    std::ostringstream t;
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    double load[3] = {};
    getloadavg(load, 3);
    t << "bench_detector1: 2048x2048 NIRCam full frame, 10 groups; " << o.threads << " threads (hardware: " << std::thread::hardware_concurrency()
      << "); jump/ramp_fit maximum_cores=" << o.maximum_cores << "; " << o.repeat << " runs each; load average "
      << fmt(load[0], "%.2f") << "\n";
    if (!sim_note.empty()) t << sim_note << "\n";
    t << "\n| measurement |";
    for (int n : o.ints) t << " nints=" << n << " min [s] | median [s] | x bandwidth |";
    t << "\n|---|";
    for (std::size_t k = 0; k < o.ints.size(); ++k) t << "---:|---:|---:|";
    t << "\n";
    auto line = [&](const std::string& label, const std::map<int, Stats>& m, bool ratio = true) {
        t << "| " << label << " |";
        for (int n : o.ints) {
            auto it = m.find(n);
            if (it == m.end() || it->second.empty()) {
                t << " - | - | - |";
                continue;
            }
            const Stats& s = it->second;
            t << " " << fmt(s.min()) << (s.note.empty() ? "" : " (" + s.note + ")") << " | " << fmt(s.median()) << " | "
              << (ratio && !bandwidthN[n].empty() ? fmt(s.min() / bandwidthN[n].min(), "%.1f") : "") << " |";
        }
        t << "\n";
    };
    line("bandwidth: one read pass over float32 SCI, 1 thread", bandwidth1);
    line("bandwidth: one read pass over float32 SCI, all threads (baseline)", bandwidthN);
    for (const auto& r : rows) line(r.label, r.by_ints);
    std::map<int, Stats> e2e_stats;
    for (auto& [n, e] : e2e) e2e_stats[n] = e.wall;
    line("end to end: read _uncal + process + write rate/rateints", e2e_stats);
    t << "\n";
    for (int n : o.ints) {
        if (!e2e.count(n)) continue;
        const EndToEnd& e = e2e[n];
        t << "nints=" << n << ": float32 ramp " << fmt(ramp_mb[n], "%.1f") << " MB; end to end via " << e.how << "; peak RSS "
          << fmt(static_cast<double>(e.max_rss_kb) / 1024.0, "%.1f") << " MiB = "
          << fmt(static_cast<double>(e.max_rss_kb) * 1024.0 / (ramp_mb[n] * 1e6), "%.2f") << "x the float32 ramp";
        if (!e.breakdown.empty()) t << "; " << e.breakdown;
        t << "\n";
    }
    for (auto& [n, v] : inside) {
        t << "nints=" << n << ", inside one static chain run (s, summed over threads for fused steps): ";
        for (auto& [a, sec] : v) t << a << " " << fmt(sec) << "; ";
        t << "\n";
    }
    std::fputs(t.str().c_str(), stdout);
    if (!o.markdown.empty()) std::ofstream(o.markdown) << t.str();
    if (temporary) fs::remove_all(work);
    return status;
}
