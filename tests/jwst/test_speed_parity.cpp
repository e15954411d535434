// The product kernels give the bits of the serial reference kernels (tests/oracles/):
// jump (one logical slice) and ramp_fit on many threads with tiny row blocks, row steps
// run block by block in any order, saturation with its dilation halo, the in-place
// refpix, and the whole calwebb_detector1 chain (fused, parallel; static and dynamic)
// against a serial context.

#include "orrery/jwst.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"
#include "orrery/jwst/simulate.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <filesystem>
#include <cmath>
#include <random>

#include "../oracles/jump_oracle.hpp"
#include "../oracles/refpix_oracle.hpp"
#include "../oracles/saturation_oracle.hpp"
#include "../support/row_orders.hpp"
#include "../support/temp_dir.hpp"

using namespace orrery;
using namespace orrery::jwst;
namespace fs = std::filesystem;

namespace {

struct Quiet : Context {
    explicit Quiet(int threads = 1) {
        set_logger(std::make_shared<NullLogger>());
        set_max_threads(threads);
        if (threads > 1) use_tbb(*this);
    }
};

template <class A>
bool same_bits(const A& a, const A& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(*a.data())) == 0;
}

SimulationConfig sim_config(int ny, int nx, int nints, int ngroups, std::uint64_t seed) {
    SimulationConfig c;
    c.name = "parity";
    c.ny = ny;
    c.nx = nx;
    c.nints = nints;
    c.ngroups = ngroups;
    c.seed = seed;
    c.n_cosmic_rays = ny * nx / 40;  // plenty of jumps and neighbours
    c.n_saturating_stars = 3;
    c.n_nan_gain = 2;
    c.n_floor_pixels = 2;
    c.threads = 2;
    return c;
}

using orrery::test::scrambled_rows;
using orrery::test::serial_rows;

/// A ramp after dark_current, as jump and ramp_fit see it.
RampModel calibrated(const SimulatedExposure& e) {
    RampModel m = e.ramp;
    initialize_dq(m, e.mask);
    flag_saturation(m, e.saturation, &e.superbias);
    subtract_superbias(m, e.superbias);
    correct_linearity(m, e.linearity);
    subtract_dark_current(m, e.dark);
    return m;
}

}  // namespace

static_assert(RowStep<GroupScaleStep> && RowStep<DQInitStep> && RowStep<SuperBiasStep> && RowStep<LinearityStep> &&
              RowStep<DarkCurrentStep>);
static_assert(!RowStep<SaturationStep> && !RowStep<IPCStep> && !RowStep<RefPixStep> && !RowStep<JumpStep>);

namespace {
/// prepare + process_rows over scrambled row blocks + finish == the process the framework
/// derives (serial here), bit for bit, including the status the step reports.
template <class S>
void check_row_step(const RampModel& in, const fs::path& ref_dir, const typename S::Params& p = {}) {
    INFO(S::name);
    Quiet a, b;
    orrery::stpipe::use_reference_dir(a, ref_dir);
    orrery::stpipe::use_reference_dir(b, ref_dir);
    const RampModel want = step_process<S>(in, p, a);
    RampModel got = in;
    auto state = S::prepare(got, p, b);
    CHECK(a.step().status == b.step().status);
    if (b.step().status != StepStatus::skipped) {
        scrambled_rows(product_traits<RampModel>::rows(got), [&](std::size_t y0, std::size_t y1) { S::process_rows(got, state, p, y0, y1); });
        if constexpr (requires { &S::finish; }) S::finish(got, state, p, b);
    }
    CHECK(same_bits(got.sci, want.sci));
    CHECK(same_bits(got.groupdq, want.groupdq));
    CHECK(same_bits(got.pixeldq, want.pixeldq));
    CHECK(same_bits(got.average_dark_current, want.average_dark_current));
    CHECK(got.zeroframe.has_value() == want.zeroframe.has_value());
    if (got.zeroframe && want.zeroframe) CHECK(same_bits(*got.zeroframe, *want.zeroframe));
}
}  // namespace

TEST_CASE("row steps: prepare + process_rows in any row order + finish equals process", "[parity][row_steps]") {
    const orrery::test::TempDir dir("orrery_speed_rows");
    SimulationConfig c = sim_config(24, 40, 2, 6, 17);
    const SimulatedFiles files = write_simulated_exposure(dir, c);
    const fs::path refs = dir / "ref";
    RampModel m = io::read_ramp(files.uncal);
    m.zeroframe = NdArray<float, 3>({m.nints(), m.ny(), m.nx()}, 500.0f);  // exercise the ZEROFRAME paths
    m.meta.zeroframe = true;
    (*m.zeroframe)[5] = 0.0f;
    {
        RampModel scaled = m;  // group_scale runs only when FRMDIVSR differs from NFRAMES
        scaled.meta.frmdivsr = 2;
        check_row_step<GroupScaleStep>(scaled, refs);
    }
    check_row_step<GroupScaleStep>(m, refs);  // skipped: NFRAMES=1 is a power of 2
    check_row_step<DQInitStep>(m, refs);
    Quiet ctx;
    orrery::stpipe::use_reference_dir(ctx, refs);
    m = step_process<DQInitStep>(std::move(m), {}, ctx);
    m = SaturationStep::process(std::move(m), {}, ctx);
    check_row_step<SuperBiasStep>(m, refs);
    m = step_process<SuperBiasStep>(std::move(m), {}, ctx);
    check_row_step<LinearityStep>(m, refs);
    m = step_process<LinearityStep>(std::move(m), {}, ctx);
    check_row_step<DarkCurrentStep>(m, refs);
    DarkCurrentParams given;
    given.average_dark_current = 0.5;
    check_row_step<DarkCurrentStep>(m, refs, given);
}

TEST_CASE("one-slice jump detection is identical for any row split and thread count", "[parity][jump]") {
  for (auto [nints, ngroups] : {std::pair{2, 10}, std::pair{1, 10}, std::pair{1, 5}, std::pair{3, 4}}) {
    INFO("nints " << nints << " ngroups " << ngroups);
    const SimulatedExposure e = simulate_exposure(sim_config(48, 64, nints, ngroups, 11));
    const RampModel in = calibrated(e);
    for (int variant = 0; variant < 4; ++variant) {
        INFO("variant " << variant);
        JumpParams p;
        if (variant == 1) {  // after-jump flagging
            p.after_jump_flag_dn1 = 100;
            p.after_jump_flag_time1 = 25;
            p.after_jump_flag_dn2 = 1000;
            p.after_jump_flag_time2 = 60;
        }
        if (variant == 2) p.flag_4_neighbors = false;
        if (variant == 3) p.min_diffs_single_pass = 4;  // single-pass mode
        RampModel want = in;
        JumpReport want_rep;
        oracle::detect_jumps_in_slices(want, e.gain, e.readnoise, p, 1, &want_rep);
        for (int how = 0; how < 3; ++how) {
            RampModel got = in;
            JumpReport rep;
            if (how == 0) detect_jumps_one_slice(got, e.gain, e.readnoise, p, serial_rows, &rep);
            if (how == 1) detect_jumps_one_slice(got, e.gain, e.readnoise, p, scrambled_rows, &rep);
            if (how == 2) {
                Quiet ctx(4);
                detect_jumps_one_slice(got, e.gain, e.readnoise, p,
                                       [&](std::size_t n, const auto& body) { parallel_rows(ctx, 4, n, 1, body); }, &rep);
            }
            CHECK(same_bits(got.groupdq, want.groupdq));
            CHECK(same_bits(got.pixeldq, want.pixeldq));
            CHECK(rep.primary_crs == want_rep.primary_crs);
            CHECK(rep.slices.at(0).mode == want_rep.slices.at(0).mode);
        }
        std::size_t jumps = 0;
        for (auto q : want.groupdq) jumps += (q & dq::JUMP_DET) != 0;
        CHECK(jumps > 20);  // the data do exercise detection and neighbours
    }
  }
}

TEST_CASE("one-slice jump detection in sigma-clip mode matches the serial kernel", "[parity][jump]") {
    const SimulatedExposure e = simulate_exposure(sim_config(12, 10, 101, 3, 5));
    const RampModel in = calibrated(e);
    for (bool only_ints : {true, false}) {
        JumpParams p;
        p.only_use_ints = only_ints;
        RampModel want = in, got = in;
        JumpReport want_rep, rep;
        oracle::detect_jumps_in_slices(want, e.gain, e.readnoise, p, 1, &want_rep);
        detect_jumps_one_slice(got, e.gain, e.readnoise, p, scrambled_rows, &rep);
        CHECK(want_rep.slices.at(0).mode == JumpMode::sigma_clip);
        CHECK(same_bits(got.groupdq, want.groupdq));
        CHECK(rep.primary_crs == want_rep.primary_crs);
    }
}

namespace {

/// Every array of rate and rateints identical, bit for bit.
void check_same_products(const RampFitResult& got, const RampFitResult& want) {
    CHECK(same_bits(got.products.rate.sci, want.products.rate.sci));
    CHECK(same_bits(got.products.rate.err, want.products.rate.err));
    CHECK(same_bits(got.products.rate.var_poisson, want.products.rate.var_poisson));
    CHECK(same_bits(got.products.rate.var_rnoise, want.products.rate.var_rnoise));
    CHECK(same_bits(got.products.rate.dq, want.products.rate.dq));
    CHECK(same_bits(got.products.rateints.sci, want.products.rateints.sci));
    CHECK(same_bits(got.products.rateints.err, want.products.rateints.err));
    CHECK(same_bits(got.products.rateints.var_poisson, want.products.rateints.var_poisson));
    CHECK(same_bits(got.products.rateints.var_rnoise, want.products.rateints.var_rnoise));
    CHECK(same_bits(got.products.rateints.dq, want.products.rateints.dq));
}

}  // namespace

TEST_CASE("parallel ramp_fit gives the serial products", "[parity][ramp_fit]") {
    const SimulatedExposure e = simulate_exposure(sim_config(40, 64, 2, 10, 3));
    RampModel m = calibrated(e);
    oracle::detect_jumps_in_slices(m, e.gain, e.readnoise, JumpParams{}, 1);
    for (bool save_opt : {false, true}) {
        RampFitParams p;
        p.save_opt = save_opt;
        p.maximum_cores = "all";
        const RampFitResult want = fit_ramps(m, e.gain, e.readnoise, p);
        Quiet ctx(4);
        const RampFitResult got = RampFitStep::fit_in_parallel(m, e.gain, e.readnoise, p, AverageDarkCurrent{}, ctx);
        check_same_products(got, want);
        CHECK(got.fitopt.has_value() == save_opt);
        if (save_opt) {
            CHECK(same_bits(got.fitopt->slope, want.fitopt->slope));
            CHECK(same_bits(got.fitopt->crmag, want.fitopt->crmag));
            CHECK(same_bits(got.fitopt->pedestal, want.fitopt->pedestal));
        }
    }
}

namespace {

/// Every kind of ramp ramp_fit meets, (nints, ngroups, ny, nx), NIRCam timing: mostly clean
/// ramps (the vectorised fast path; rates from negative to bright, so every SNR class) and,
/// cycling, pixels the fast path must hand to the general path or get right itself.
struct RampFitCase {
    RampModel ramp;
    GainRef gain;
    ReadnoiseRef readnoise;
};

RampFitCase ramp_fit_case(std::size_t nints, std::size_t ngroups, std::size_t ny, std::size_t nx, std::uint64_t seed) {
    RampFitCase c;
    RampModel& r = c.ramp;
    r.filename = "parity_ramp.fits";
    r.meta.instrument = "NIRCAM";
    r.meta.nints = static_cast<int>(nints);
    r.meta.ngroups = static_cast<int>(ngroups);
    r.meta.nframes = 1;
    r.meta.tframe = r.meta.tgroup = 10.73677;
    r.sci.resize({nints, ngroups, ny, nx});
    r.groupdq.resize({nints, ngroups, ny, nx});
    r.pixeldq.resize({ny, nx});
    c.gain.sci.resize({ny, nx});
    c.readnoise.sci.resize({ny, nx});
    std::mt19937_64 rng(seed);
    auto uniform = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    constexpr float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const std::size_t ng = ngroups;
    for (std::size_t y = 0; y < ny; ++y)
        for (std::size_t x = 0; x < nx; ++x) {
            c.gain.sci(y, x) = static_cast<float>(uniform(1.5, 2.5));
            c.readnoise.sci(y, x) = static_cast<float>(uniform(4.0, 12.0));
            const double rate = std::pow(10.0, uniform(-1.0, 3.5)) * (pick(8) == 0 ? -0.05 : 1.0);  // DN per group
            const double base = uniform(-50.0, 12000.0);
            for (std::size_t i = 0; i < nints; ++i)
                for (std::size_t g = 0; g < ng; ++g)
                    r.sci(i, g, y, x) = static_cast<float>(base + rate * static_cast<double>(g) + uniform(-8.0, 8.0));
            if (pick(10) < 6) continue;  // clean
            const std::size_t i = pick(nints), g = pick(ng), g2 = pick(ng);
            auto flag = [&](std::size_t gi, std::uint8_t f) { r.groupdq(i, gi, y, x) |= f; };
            switch (pick(17)) {
                case 0: flag(g, dq::JUMP_DET); break;
                case 1:  // two jumps: short segments, maybe 1- and 2-group ones
                    flag(g, dq::JUMP_DET);
                    flag(g2, dq::JUMP_DET);
                    break;
                case 2:  // saturated from group g on
                    for (std::size_t k = g; k < ng; ++k) flag(k, dq::SATURATED | dq::DO_NOT_USE);
                    break;
                case 3:
                    flag(g, dq::DO_NOT_USE);
                    if (pick(2)) flag(g2, dq::DO_NOT_USE);
                    break;
                case 4: {
                    constexpr float gains[] = {nan, 0.0f, -1.0f, inf, 3e38f};  // 3e38: R overflows float
                    c.gain.sci(y, x) = gains[pick(5)];
                    break;
                }
                case 5: {
                    constexpr float noises[] = {nan, 0.0f, inf, 3e38f};
                    c.readnoise.sci(y, x) = noises[pick(4)];
                    break;
                }
                case 6: r.sci(i, g, y, x) = nan; break;
                case 7: r.sci(i, g, y, x) = pick(2) ? inf : -inf; break;
                case 8:  // +inf - +inf in a difference
                    r.sci(i, g, y, x) = inf;
                    r.sci(i, (g + 1) % ng, y, x) = inf;
                    break;
                case 9: r.pixeldq(y, x) = pick(2) ? dq::DO_NOT_USE : dq::SATURATED; break;
                case 10: r.pixeldq(y, x) = dq::JUMP_DET | (1u << 10); break;  // propagated only
                case 11: flag(g, dq::PERSISTENCE); break;
                case 12: flag(g, dq::CHARGELOSS | dq::DO_NOT_USE); break;
                case 13:  // one good group left, or none
                    for (std::size_t k = 0; k < ng; ++k)
                        if (k != g || pick(2)) flag(k, dq::DO_NOT_USE);
                    break;
                case 15:  // a reference pixel: every group of every integration DO_NOT_USE
                    for (std::size_t ii = 0; ii < nints; ++ii)
                        for (std::size_t k = 0; k < ng; ++k) r.groupdq(ii, k, y, x) = dq::DO_NOT_USE;
                    if (pick(3) == 0) c.gain.sci(y, x) = pick(2) ? nan : 0.0f;
                    if (pick(3) == 0) r.pixeldq(y, x) = pick(2) ? dq::SATURATED : (1u << 31);
                    break;
                case 14:  // huge values: overflowing products
                    for (std::size_t k = 0; k < ng; ++k) r.sci(i, k, y, x) = static_cast<float>(1e37 * static_cast<double>(k + 1));
                    break;
                default:  // flat ramp: zero differences, zero median
                    for (std::size_t k = 0; k < ng; ++k) r.sci(i, k, y, x) = r.sci(i, 0, y, x);
                    break;
            }
        }
    return c;
}

}  // namespace

TEST_CASE("ramp_fit fast rows (vectorised clean pixels) give the serial reference products", "[parity][ramp_fit]") {
    std::uint64_t seed = 100;
    for (std::size_t nints : {1, 2})
        for (std::size_t ngroups : {3, 4, 5, 10}) {
            RampFitCase c = ramp_fit_case(nints, ngroups, 9, 67, ++seed);  // odd width: a last column alone
            if (seed % 2) {  // ZEROFRAME stands in for fully flagged ramps when suppression is off
                c.ramp.zeroframe = NdArray<float, 3>({nints, 9, 67}, 700.0f);
                c.ramp.meta.zeroframe = true;
                (*c.ramp.zeroframe)[4] = 0.0f;
            }
            NdArray<float, 2> dark_map({9, 67});
            std::mt19937_64 rng(seed);
            for (auto& d : dark_map) d = static_cast<float>(std::uniform_real_distribution<double>(-0.02, 0.5)(rng));
            dark_map[5] = std::numeric_limits<float>::quiet_NaN();
            dark_map[6] = std::numeric_limits<float>::infinity();
            dark_map[7] = -std::numeric_limits<float>::infinity();
            for (const AverageDarkCurrent& dark : {AverageDarkCurrent{}, AverageDarkCurrent::uniform(0.3f),
                                                    AverageDarkCurrent::uniform(-0.4f), AverageDarkCurrent::from_array(dark_map)})
                for (bool suppress : {true, false}) {
                    INFO("nints " << nints << " ngroups " << ngroups << " zeroframe " << c.ramp.zeroframe.has_value() << " dark " << (dark.per_pixel.empty() ? dark.value : 99.0f)
                                  << " suppress_one_group " << suppress);
                    RampFitParams p;
                    p.suppress_one_group = suppress;
                    p.maximum_cores = "all";
                    const RampFitResult want = fit_ramps(c.ramp, c.gain, c.readnoise, p, dark);
                    CHECK(rampfit::CleanRampBlock::applies(rampfit::make_ramp_fit_plan(c.ramp, p)));
                    Quiet ctx(4);
                    check_same_products(RampFitStep::fit_in_parallel(c.ramp, c.gain, c.readnoise, p, dark, ctx), want);

                    // The row function alone over scrambled row blocks, into unfilled outputs.
                    const auto plan = rampfit::make_ramp_fit_plan(c.ramp, p);
                    const rampfit::RampFitSources src{c.ramp, c.gain.sci, c.readnoise.sci, rampfit::DarkCurrentView::of(dark)};
                    RampFitResult got;
                    rampfit::allocate_ramp_fit_outputs(plan, c.ramp, c.gain, got);
                    const rampfit::RampFitOutputs out{got.products.rate, got.products.rateints};
                    scrambled_rows(plan.ny, [&](std::size_t y0, std::size_t y1) { rampfit::fit_ramp_rows_fast(plan, src, y0, y1, out); });
                    check_same_products(got, want);
                }
        }
}

TEST_CASE("ramp_fit giving back an owned ramp's fitted rows leaves the products unchanged", "[parity][ramp_fit]") {
    // 2 MiB of a SCI plane are 32 rows of 16384: chunks of 32, 32 and 6 rows.
    const RampFitCase c = ramp_fit_case(1, 3, 70, 16384, 11);
    RampFitParams p;
    p.maximum_cores = "all";
    const RampFitResult want = fit_ramps(c.ramp, c.gain, c.readnoise, p);
    RampModel owned = c.ramp;
    rampfit::FittedRowsRelease release(owned);
    Quiet ctx(2);
    check_same_products(RampFitStep::fit_in_parallel(owned, c.gain, c.readnoise, p, owned.average_dark_current,
                                                     rampfit::DarkCurrentView::of(owned.average_dark_current), ctx, &release),
                        want);
    // The pages were given back (private anonymous memory reads as zeros afterwards).
    const float* first_chunk = owned.sci.data();
    CHECK(std::all_of(first_chunk, first_chunk + 32 * 16384, [](float v) { return v == 0.0f; }));
}

TEST_CASE("ramp_fit fast rows fall back to the reference where the kernel does not apply", "[parity][ramp_fit]") {
    const RampFitCase c = ramp_fit_case(2, 6, 5, 40, 7);
    RampFitParams window;
    window.firstgroup = 1;
    RampFitParams opt;
    opt.save_opt = true;
    for (const RampFitParams& p : {window, opt}) {
        CHECK_FALSE(rampfit::CleanRampBlock::applies(rampfit::make_ramp_fit_plan(c.ramp, p)));
        Quiet ctx(3);
        check_same_products(RampFitStep::fit_in_parallel(c.ramp, c.gain, c.readnoise, p, AverageDarkCurrent{}, ctx),
                            fit_ramps(c.ramp, c.gain, c.readnoise, p));
    }
    for (std::size_t ngroups : {1, 2}) {  // no segment of 3 groups
        const RampFitCase s = ramp_fit_case(1, ngroups, 4, 10, 8);
        CHECK_FALSE(rampfit::CleanRampBlock::applies(rampfit::make_ramp_fit_plan(s.ramp, RampFitParams{})));
        Quiet ctx(2);
        check_same_products(RampFitStep::fit_in_parallel(s.ramp, s.gain, s.readnoise, RampFitParams{}, AverageDarkCurrent{}, ctx),
                            fit_ramps(s.ramp, s.gain, s.readnoise, RampFitParams{}));
    }
}

TEST_CASE("calwebb_detector1 fused and parallel gives the serial products bit for bit", "[parity][pipeline]") {
    // 2048 columns so that a fused row block is a few rows: many blocks, in parallel.
    const orrery::test::TempDir dir("orrery_speed_parity");
    SimulationConfig c = sim_config(40, 2048, 2, 8, 21);
    c.n_cosmic_rays = 800;
    const SimulatedFiles files = write_simulated_exposure(dir, c);
    const RampModel raw = io::read_ramp(files.uncal);
    ParamNode cfg = ParamNode::map();
    cfg.set_path("steps.ipc.override_ipc", ParamNode::scalar("N/A", "test"));
    cfg.set_path("steps.jump.maximum_cores", ParamNode::scalar("all", "test"));
    cfg.set_path("steps.ramp_fit.maximum_cores", ParamNode::scalar("all", "test"));

    auto run_static = [&](int threads) {
        Quiet ctx(threads);
        orrery::stpipe::use_reference_dir(ctx, dir / "ref");
        auto p = make_pipeline<Detector1Pipeline>();
        p.configure(cfg);
        return p.run(raw, ctx);
    };
    const RateProducts serial = run_static(1);
    const RateProducts parallel = run_static(4);
    auto run_dynamic = [&](std::vector<std::string> names) {
        Quiet ctx(3);
        orrery::stpipe::use_reference_dir(ctx, dir / "ref");
        names.insert(names.end(), {"charge_migration", "jump", "picture_frame", "clean_flicker_noise", "persistence", "ramp_fit", "gain_scale"});
        DynamicPipeline dyn = DynamicPipeline::from_names(names);
        dyn.configure(cfg);
        return dyn.run_as<RateProducts>(raw, ctx);
    };
    // Fused as detector1 is, and every step on its own (one full pass each).
    const RateProducts dynamic = run_dynamic({"group_scale+dq_init", "saturation", "ipc", "superbias", "refpix", "linearity+dark_current"});
    const RateProducts unfused =
        run_dynamic({"group_scale", "dq_init", "saturation", "ipc", "superbias", "refpix", "linearity", "dark_current"});
    for (const RateProducts* got : {&parallel, &dynamic, &unfused}) {
        CHECK(same_bits(got->rate.sci, serial.rate.sci));
        CHECK(same_bits(got->rate.err, serial.rate.err));
        CHECK(same_bits(got->rate.var_poisson, serial.rate.var_poisson));
        CHECK(same_bits(got->rate.var_rnoise, serial.rate.var_rnoise));
        CHECK(same_bits(got->rate.dq, serial.rate.dq));
        CHECK(same_bits(got->rateints.sci, serial.rateints.sci));
        CHECK(same_bits(got->rateints.err, serial.rateints.err));
        CHECK(same_bits(got->rateints.dq, serial.rateints.dq));
        CHECK(got->rate.provenance.cal_step == serial.rate.provenance.cal_step);
    }
    CHECK(serial.rate.provenance.cal_step.at("refpix") == "COMPLETE");
    CHECK(serial.rate.provenance.cal_step.at("jump") == "COMPLETE");
}

TEST_CASE("refpix in place gives the bits of the double-precision plane copies", "[parity][refpix]") {
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(1000.0f, 30.0f);
    const auto make = [&](std::size_t ny, std::size_t nx, const std::string& subarray, int substrt1, int substrt2) {
        RampModel m;
        m.meta.instrument = "NIRCAM";
        m.meta.subarray = subarray;
        m.meta.substrt1 = substrt1;
        m.meta.substrt2 = substrt2;
        m.meta.subsize1 = static_cast<int>(nx);
        m.meta.subsize2 = static_cast<int>(ny);
        m.primary.set("NOUTPUTS", 4);
        m.sci.resize({1, 2, ny, nx});
        for (auto& v : m.sci) v = noise(rng) + static_cast<float>(rng() % 7);
        m.sci[17] = std::numeric_limits<float>::quiet_NaN();
        m.sci[m.sci.size() - 3] = std::numeric_limits<float>::quiet_NaN();
        m.groupdq.resize(m.sci.shape(), 0);
        m.pixeldq.resize({ny, nx}, 0u);
        for (std::size_t y = 0; y < ny; ++y)
            for (std::size_t x = 0; x < nx; ++x) {
                const std::size_t yd = y + static_cast<std::size_t>(substrt2 - 1), xd = x + static_cast<std::size_t>(substrt1 - 1);
                if (yd < 4 || yd >= 2044 || xd < 4 || xd >= 2044) m.pixeldq(y, x) = dq::REFERENCE_PIXEL;
                if (rng() % 50 == 0) m.pixeldq(y, x) |= dq::DO_NOT_USE;
            }
        m.zeroframe = NdArray<float, 3>({1, ny, nx}, 900.0f);
        m.meta.zeroframe = true;
        (*m.zeroframe)[3] = 0.0f;
        return m;
    };
    std::vector<RampModel> cases = {make(2048, 2048, "FULL", 1, 1), make(64, 96, "SUBTEST", 1, 1), make(40, 60, "SUBTEST", 1985, 2009),
                                    make(32, 48, "SUBTEST", 600, 700)};
    cases.push_back(cases[1]);
    cases.back().primary.set("NOUTPUTS", 1);  // flagged mode
    int n = 0, changed = 0;
    for (const RampModel& base : cases)
        for (int fast : {1, -1, 2, -2})
            for (int slow : {1, -1, 2, -2}) {
                if (std::abs(fast) == std::abs(slow)) continue;
                for (int variant = 0; variant < 3; ++variant) {
                    if (base.ny() == 2048 && variant > 0) continue;  // the full frame once per orientation
                    INFO("case " << base.ny() << "x" << base.nx() << " at " << base.meta.substrt1 << "," << base.meta.substrt2
                                 << " fast " << fast << " slow " << slow << " variant " << variant);
                    RampModel a = base;
                    a.meta.fastaxis = fast;
                    a.meta.slowaxis = slow;
                    RefPixParams p;
                    p.odd_even_columns = variant != 1;
                    p.use_side_ref_pixels = variant != 2;
                    p.side_smoothing_length = variant == 1 ? 6 : 11;
                    p.side_gain = variant == 1 ? 0.7 : 1.0;
                    RampModel b = a;
                    const StepOutcome want = oracle::subtract_reference_pixels(a, p);
                    const StepOutcome got = subtract_reference_pixels(b, p, scrambled_rows);
                    CHECK(want.skipped == got.skipped);
                    CHECK(want.reason == got.reason);
                    CHECK(same_bits(a.sci, b.sci));
                    CHECK(same_bits(*a.zeroframe, *b.zeroframe));
                    changed += same_bits(a.sci, base.sci) ? 0 : 1;
                    ++n;
                }
            }
    CHECK(n > 40);
    CHECK(changed > 30);  // most cases really correct something
}

TEST_CASE("saturation over row blocks gives the serial flags", "[parity][saturation]") {
    for (int nframes : {1, 4}) {
        SimulationConfig c = sim_config(40, 56, 2, 6, 29);
        c.nframes = nframes;
        c.groupgap = nframes > 1 ? 1 : 0;
        c.n_saturating_stars = 6;
        const SimulatedExposure e = simulate_exposure(c);
        RampModel in = e.ramp;
        initialize_dq(in, e.mask);
        in.groupdq(0, 3, 5, 7) |= dq::SATURATED;  // a flag already present on input
        in.zeroframe = NdArray<float, 3>({in.nints(), in.ny(), in.nx()});
        for (std::size_t k = 0; k < in.zeroframe->size(); ++k) (*in.zeroframe)[k] = in.sci[k % in.sci.plane_size()];
        (*in.zeroframe)[11] = 0.0f;
        in.meta.zeroframe = true;
        SaturationRef satref = e.saturation;  // thresholds the vectorised test must treat as the serial one does
        satref.sci[100] = std::numeric_limits<float>::quiet_NaN();
        satref.dq[101] |= dq::NO_SAT_CHECK;
        satref.sci[102] = 10.0f;
        for (int grow : {0, 1, 2})
            for (bool readpatt : {true, false}) {
                INFO("nframes " << nframes << " grow " << grow << " readpatt " << readpatt);
                SaturationParams p;
                p.n_pix_grow_sat = grow;
                p.use_readpatt = readpatt;
                RampModel want = in;
                oracle::flag_saturation(want, satref, &e.superbias, p);
                for (int how = 0; how < 2; ++how) {
                    RampModel got = in;
                    if (how == 0) flag_saturation_rows(got, satref, &e.superbias, p, scrambled_rows);
                    else {
                        Quiet ctx(4);
                        flag_saturation_rows(got, satref, &e.superbias, p,
                                             [&](std::size_t n, const auto& body) { parallel_rows(ctx, 4, n, 2, body); });
                    }
                    CHECK(same_bits(got.groupdq, want.groupdq));
                    CHECK(same_bits(got.pixeldq, want.pixeldq));
                    CHECK(same_bits(*got.zeroframe, *want.zeroframe));
                }
                std::size_t sat = 0;
                for (auto q : want.groupdq) sat += (q & dq::SATURATED) != 0;
                CHECK(sat > 20);
            }
    }
}

TEST_CASE("row-wise square dilation equals the whole-image dilation", "[parity][saturation]") {
    const std::size_t ny = 37, nx = 53;
    std::vector<std::uint8_t> mask(ny * nx, 0);
    std::uint32_t state = 12345;
    for (auto& m : mask) {
        state = state * 1664525u + 1013904223u;
        m = (state >> 24) < 6 ? 1 : 0;  // sparse, with whole empty rows
    }
    mask[0] = mask[nx - 1] = mask[(ny - 1) * nx] = 1;  // corners
    for (std::size_t n : {0u, 1u, 2u, 3u, 8u, 9u, 30u, 60u}) {
        INFO("n = " << n);
        std::vector<std::uint8_t> want(ny * nx), scratch, column;
        if (n == 0)
            for (std::size_t k = 0; k < mask.size(); ++k) want[k] = mask[k] != 0;
        else
            orrery::jwst::oracle::dilate_square(mask.data(), want.data(), ny, nx, n, scratch);
        for (std::size_t split : {1u, 5u, 37u}) {
            std::vector<std::uint8_t> got(ny * nx, 7);
            for (std::size_t y0 = 0; y0 < ny; y0 += split) {
                const std::size_t y1 = std::min(ny, y0 + split);
                orrery::jwst::detail::dilate_square_rows(mask.data(), got.data() + y0 * nx, ny, nx, n, y0, y1, column);
            }
            CHECK(got == want);
        }
    }
}

TEST_CASE("vectorised linearity rows evaluate the reference polynomial", "[parity][linearity]") {
    const std::size_t nx = 67;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> value(-100.0f, 70000.0f), coef(-1e-3f, 1e-3f);
    for (std::size_t nc = 2; nc <= 9; ++nc) {
        INFO("coefficients: " << nc);
        std::vector<float> c(nc * nx), s(nx);
        std::vector<std::uint8_t> gdq(nx);
        for (std::size_t k = 0; k < c.size(); ++k) c[k] = coef(rng) * static_cast<float>(k % nx == 3 ? 1e6 : 1.0);
        for (std::size_t x = 0; x < nx; ++x) {
            s[x] = value(rng);
            gdq[x] = static_cast<std::uint8_t>(x % 5 == 0 ? dq::SATURATED : (x % 7 == 0 ? dq::DO_NOT_USE : 0));
        }
        s[1] = std::numeric_limits<float>::quiet_NaN();
        s[2] = 0.0f;
        for (bool with_dq : {true, false}) {
            std::vector<float> got = s, want = s;
            orrery::jwst::detail::correct_group_row(got.data(), with_dq ? gdq.data() : nullptr, c.data(), nx, nc);
            for (std::size_t x = 0; x < nx; ++x)
                if (!with_dq || (gdq[x] & dq::SATURATED) == 0)
                    want[x] = orrery::jwst::detail::linearity_poly<float>(c.data() + x, nx, nc, s[x]);
            CHECK(std::memcmp(got.data(), want.data(), nx * sizeof(float)) == 0);
        }
    }
}
