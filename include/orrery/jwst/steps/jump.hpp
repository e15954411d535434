#pragma once
// jump: two-point-difference cosmic-ray (jump) detection.
//
// maximum_cores is the number of threads (within the context's budget) that work on
// row blocks of ONE logical stcal slice, so the flags never depend on it. (Upstream,
// maximum_cores > 1 also splits the frame into independent row slices, which can change
// the flags at the slice edges and the minimum group count; the serial reference in
// tests/oracles/jump_oracle.hpp keeps that behaviour for cross-checks.) With the default '1' both agree exactly.

#include "orrery/jwst/algorithms/jump.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct JumpStep {
    static constexpr std::string_view name = "jump";
    static constexpr std::string_view class_name = "jwst.jump.JumpStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.jump.jump_step.JumpStep", "jwst.step.JumpStep"};
    static constexpr std::string_view description = "Flag jumps (cosmic rays) with the two-point difference method";
    static constexpr std::string_view status_key = "jump";
    static constexpr std::array<std::string_view, 2> reference_types{"gain", "readnoise"};
    using Params = JumpParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        const auto gain = load_reference<GainRef>(ctx, "gain", model);
        const auto readnoise = load_reference<ReadnoiseRef>(ctx, "readnoise", model);
        if (!gain || !readnoise) throw InputError("jump needs both the gain and the readnoise reference files (N/A given)");
        const int threads = step_threads(ctx, p.maximum_cores);
        const std::size_t block = compute_block_rows(model.nx());
        auto for_rows = [&](std::size_t rows, const auto& body) { parallel_rows(ctx, threads, rows, block, body); };
        if (ctx.debug_enabled()) {
            ctx.debug("Jump: " + debug_text::exposure(model));
            ctx.debug("Jump: rejection thresholds " + scalar_to_text(p.rejection_threshold) + " / " + scalar_to_text(p.three_group_rejection_threshold) +
                      " / " + scalar_to_text(p.four_group_rejection_threshold) + " sigma (5+ / 3 / 4 groups); flag_4_neighbors=" +
                      (p.flag_4_neighbors ? "True between " + scalar_to_text(p.min_jump_to_flag_neighbors) + " and " +
                                                scalar_to_text(p.max_jump_to_flag_neighbors) + " sigma"
                                          : std::string("False")) +
                      "; " + std::to_string(threads) + " thread(s), " + std::to_string(block) + " rows per block");
        }
        report_outcome(ctx, detect_jumps_one_slice(model, *gain, *readnoise, p, for_rows));
        if (ctx.debug_enabled())
            ctx.debug("Jump: " + std::to_string(debug_text::groups_flagged(model, dq::JUMP_DET)) + " groups in " +
                      std::to_string(debug_text::pixels_flagged(model, dq::JUMP_DET)) + " pixels flagged JUMP_DET");
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::JumpParams,
    (rejection_threshold, "CR sigma rejection threshold", orrery::min(0)),
    (three_group_rejection_threshold, "CR sigma rejection threshold for 3-group ramps", orrery::min(0)),
    (four_group_rejection_threshold, "CR sigma rejection threshold for 4-group ramps", orrery::min(0)),
    (maximum_cores, "Cores to use: '1', an integer, 'quarter', 'half' or 'all'"),
    (flag_4_neighbors, "Flag the four perpendicular neighbours of each CR"),
    (max_jump_to_flag_neighbors, "Maximum jump sigma that will trigger neighbour flagging"),
    (min_jump_to_flag_neighbors, "Minimum jump sigma that will trigger neighbour flagging"),
    (after_jump_flag_dn1, "1st flag groups after jump above DN threshold"),
    (after_jump_flag_time1, "1st flag groups after jump groups within specified time [s]"),
    (after_jump_flag_dn2, "2nd flag groups after jump above DN threshold"),
    (after_jump_flag_time2, "2nd flag groups after jump groups within specified time [s]"),
    (expand_large_events, "Expand snowballs (not supported in this version: must stay False)"),
    (min_sat_area, "Minimum required area for the central saturation of snowballs"),
    (min_jump_area, "Minimum area to trigger large events processing"),
    (expand_factor, "Enlargement factor for the snowball ellipses"),
    (use_ellipses, "Deprecated"),
    (sat_required_snowball, "Require the center of snowballs to be saturated"),
    (min_sat_radius_extend, "Minimum radius of the saturated core of a snowball to extend it"),
    (sat_expand, "Number of pixels to add to the radius of the saturated core of snowballs"),
    (edge_size, "Distance from detector edge where a saturated core is not required"),
    (mask_snowball_core_next_int, "Flag saturated cores of snowballs in the next integration"),
    (snowball_time_masked_next_int, "Time in seconds over which saturated cores are flagged in next integration"),
    (find_showers, "Find showers (not supported in this version: must stay False)"),
    (max_shower_amplitude, "Maximum allowed amplitude for shower artifacts [DN/group]"),
    (extend_snr_threshold, "The SNR minimum for detection of extended showers"),
    (extend_min_area, "Minimum area for extended showers"),
    (extend_inner_radius, "Inner radius of the ring used for shower detection"),
    (extend_outer_radius, "Outer radius of the ring used for shower detection"),
    (extend_ellipse_expand_ratio, "Multiplicative factor to expand the radius of the ellipse fit"),
    (time_masked_after_shower, "Seconds to flag groups as jump after a detected extended emission"),
    (min_diffs_single_pass, "Minimum number of differences to switch to the single-pass algorithm"),
    (max_extended_radius, "The maximum radius of an extended snowball or shower"),
    (minimum_groups, "Minimum number of groups to run jump detection"),
    (minimum_sigclip_groups, "Minimum number of integrations (or groups) to switch to sigma clipping"),
    (only_use_ints, "In sigma clipping, use only integrations (not groups)"))
ORRERY_REGISTER_STEP(orrery::jwst::JumpStep)
