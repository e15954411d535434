// Reading a raw exposure (uint16 stored as int16 + BZERO) into float32 through
// the data layer, against `cat file > /dev/null` on the same file in the same run
// (both from the page cache after a warm-up read). Also shown: the same read into
// an existing buffer, and the cost of first-touching fresh output memory, which
// on virtual machines with slow page faults dominates a from-scratch read.
//
//   bench_fits_read [uncal.fits] [--repeat N] [--keep]
// Without a file, a 2048 x 2048 x 10 exposure is simulated and written to a
// temporary directory first (the simulate and write times are reported too).

// A plain driver with its own main (see bench/CMakeLists.txt).
#define ORRERY_BENCH_OWN_MAIN

#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/simulate.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds (user + system) of this process and of its finished children.
double cpu_seconds() {
    double s = 0;
    for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
        rusage u{};
        getrusage(who, &u);
        s += static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
    }
    return s;
}

struct Timing {
    double wall = 1e300, cpu = 1e300;  // best of the repeats
};

/// Wall-clock and CPU time: the machine may be shared, so CPU time is the steadier figure.
template <class F>
Timing best_of(int repeat, F&& f) {
    Timing best;
    for (int i = 0; i < repeat; ++i) {
        const double c0 = cpu_seconds();
        const auto t0 = Clock::now();
        f();
        best.wall = std::min(best.wall, seconds_since(t0));
        best.cpu = std::min(best.cpu, cpu_seconds() - c0);
    }
    return best;
}

std::string quoted(const fs::path& p) {
    std::string q = "'";
    for (char c : p.string()) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}
}  // namespace

int main(int argc, char** argv) {
    fs::path file;
    int repeat = 5;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--keep") keep = true;
        else file = a;
    }
    fs::path tmpdir;
    try {
        if (file.empty()) {
            tmpdir = fs::temp_directory_path() / ("orrery_bench_fits_read_" + std::to_string(::getpid()));
            orrery::jwst::SimulationConfig c;  // full frame, 10 groups
            c.name = "bench";
            auto t0 = Clock::now();
            const double c0 = cpu_seconds();
            const auto e = orrery::jwst::simulate_exposure(c);
            std::printf("simulate 2048x2048x10            %8.3f s wall, %.3f s CPU (%u threads)\n", seconds_since(t0),
                        cpu_seconds() - c0, orrery::jwst::sim::resolve_threads(c.threads));
            t0 = Clock::now();
            fs::create_directories(tmpdir);
            file = tmpdir / "bench_uncal.fits";
            orrery::jwst::io::write_ramp(e.ramp, file, orrery::jwst::io::RampLayout::raw);
            std::printf("write raw uncal                  %8.3f s\n", seconds_since(t0));
        }
        const double mb = static_cast<double>(fs::file_size(file)) / 1e6;
        const std::string cat = "cat " + quoted(file) + " > /dev/null";
        if (std::system(cat.c_str()) != 0) std::fprintf(stderr, "warning: cat failed\n");  // warm the page cache

        std::size_t n = 0;
        const Timing t_cat = best_of(repeat, [&] { n += std::system(cat.c_str()) == 0; });
        const Timing t_ramp = best_of(repeat, [&] { n += orrery::jwst::io::read_ramp(file).sci.size(); });
        const Timing t_u16 = best_of(repeat, [&] {
            orrery::fits::FitsReader r(file);
            n += r.read<std::uint16_t, 4>("SCI").size();
        });
        // The same read into a buffer that already exists: I/O + conversion only.
        orrery::NdArray<float, 4> reuse;
        orrery::fits::FitsReader(file).read_into("SCI", reuse);
        const Timing t_reuse = best_of(repeat, [&] {
            orrery::fits::FitsReader r(file);
            r.read_into("SCI", reuse);
            n += reuse.size();
        });
        // What first-touching fresh output memory costs on this machine (page faults).
        const Timing t_alloc = best_of(repeat, [&] {
            orrery::NdArray<float, 4> fresh(reuse.shape(), 0.0f);
            n += fresh.size();
        });
        std::printf("file %s: %.1f MB, best of %d (wall / CPU)\n", file.c_str(), mb, repeat);
        auto row = [&](const char* what, const Timing& t) {
            std::printf("%-32s %7.3f s %7.3f s  %6.2f GB/s  %6.2fx cat (wall)  %6.2fx cat (CPU)\n", what, t.wall, t.cpu,
                        mb / 1e3 / t.wall, t.wall / t_cat.wall, t.cpu / t_cat.cpu);
        };
        row("cat > /dev/null", t_cat);
        row("read_ramp (SCI -> float32)", t_ramp);
        row("fits::FitsReader::read<uint16_t, 4>", t_u16);
        row("read_into float32, reused buffer", t_reuse);
        row("allocate + zero float32 (no I/O)", t_alloc);
        if (n == 0) std::printf("(nothing read)\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_fits_read: %s\n", e.what());
        if (!keep && !tmpdir.empty()) fs::remove_all(tmpdir);
        return 1;
    }
    if (!keep && !tmpdir.empty()) fs::remove_all(tmpdir);
    return 0;
}
