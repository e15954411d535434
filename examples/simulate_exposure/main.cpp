// orrery-simulate: write a simulated raw NIRCam-like exposure and a matching set
// of reference files, in the layout calwebb_detector1 reads:
//
//   DIR/<name>_uncal.fits                      raw ramps (uint16 SCI)
//   DIR/ref/{mask,saturation,superbias,linearity,dark,gain,readnoise}.fits
//
// then: orrery strun calwebb_detector1 DIR/<name>_uncal.fits --ref-dir DIR/ref
//
// Seeded and deterministic (the same seed gives the same files on any machine
// and thread count). See docs/getting-started.md.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/simulate.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char* usage =
    "usage: orrery-simulate [options]\n"
    "  --output-dir DIR      where to write (default: sim)\n"
    "  --name NAME           file root: NAME_uncal.fits (default: sim)\n"
    "  --size NYxNX | N      science array size, up to 2048x2048 (default: 256x256)\n"
    "  --ints N              integrations (default: 1)\n"
    "  --groups N            groups per integration (default: 10)\n"
    "  --nframes N           frames averaged per group (default: 1)\n"
    "  --groupgap N          frames dropped between groups (default: 0)\n"
    "  --seed N              random seed (default: 1)\n"
    "  --cosmic-rays N       number of cosmic rays (default: 1e-5 per pixel per second)\n"
    "  --saturating-stars N  stars that saturate (default: 5)\n"
    "  --full-frame-references  write 2048x2048 references (cut to the subarray on load)\n";

int to_int(const std::string& flag, const std::string& v) {
    try {
        std::size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size()) return n;
    } catch (const std::exception&) {
    }
    throw orrery::UsageError("orrery-simulate: " + flag + " needs an integer, got '" + v + "'");
}

/// What the command line asks for.
struct Request {
    orrery::jwst::SimulationConfig config;
    std::string dir = "sim";
    bool help = false;
};

Request parse_arguments(const std::vector<std::string>& args) {
    Request r;
    auto& cfg = r.config;
    cfg.ny = cfg.nx = 256;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            r.help = true;
            return r;
        }
        if (a == "--full-frame-references") {
            cfg.full_frame_references = true;
            continue;
        }
        if (i + 1 >= args.size()) throw orrery::UsageError("orrery-simulate: unknown option or missing value: " + a + "\n" + usage);
        const std::string& v = args[++i];
        if (a == "--output-dir") r.dir = v;
        else if (a == "--name") cfg.name = v;
        else if (a == "--size") {
            const auto x = v.find('x');
            cfg.ny = to_int(a, v.substr(0, x));
            cfg.nx = x == std::string::npos ? cfg.ny : to_int(a, v.substr(x + 1));
        } else if (a == "--ints") cfg.nints = to_int(a, v);
        else if (a == "--groups") cfg.ngroups = to_int(a, v);
        else if (a == "--nframes") cfg.nframes = to_int(a, v);
        else if (a == "--groupgap") cfg.groupgap = to_int(a, v);
        else if (a == "--seed") cfg.seed = static_cast<std::uint64_t>(to_int(a, v));
        else if (a == "--cosmic-rays") cfg.n_cosmic_rays = to_int(a, v);
        else if (a == "--saturating-stars") cfg.n_saturating_stars = to_int(a, v);
        else
            throw orrery::UsageError("orrery-simulate: unknown option '" + a + "'\n" + usage);
    }
    return r;
}

void print_written(const Request& r, const orrery::jwst::SimulatedFiles& files) {
    const auto& cfg = r.config;
    std::cout << "raw exposure: " << files.uncal.string() << " (" << cfg.nints << " x " << cfg.ngroups << " x " << cfg.ny << " x " << cfg.nx
              << ")\nreferences:   " << (std::filesystem::path(r.dir) / "ref").string() << "/\n";
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Request r = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
        if (r.help) {
            std::cout << usage;
            return 0;
        }
        print_written(r, orrery::jwst::write_simulated_exposure(r.dir, r.config));
        return 0;
    } catch (const orrery::Error& e) {
        std::cerr << "orrery-simulate: " << e.what() << "\n";
        return orrery::exit_code(e.category());
    } catch (const std::exception& e) {
        std::cerr << "orrery-simulate: " << e.what() << "\n";
        return 1;
    }
}
