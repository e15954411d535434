#pragma once
// dq_init: PIXELDQ/GROUPDQ from the MASK reference (and an optional user DQ file).

#include "orrery/jwst/algorithms/dq_init.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <cstddef>
#include <memory>
#include <optional>

namespace orrery::jwst {

struct DQInitStep {
    static constexpr std::string_view name = "dq_init";
    static constexpr std::string_view class_name = "jwst.dq_init.DQInitStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.dq_init.dq_init_step.DQInitStep", "jwst.step.DQInitStep"};
    static constexpr std::string_view description = "Initialize the data quality arrays from the MASK reference file";
    static constexpr std::string_view status_key = "dq_init";
    static constexpr std::array<std::string_view, 1> reference_types{"mask"};
    using Params = DqInitParams;
    // A row step: the MASK (and user DQ) are read and the DQ arrays shaped once.
    struct RowState {
        std::shared_ptr<const MaskRef> mask;
        std::optional<NdArray<std::uint32_t, 2>> user;
    };
    static RowState prepare(RampModel& model, const Params& p, Context& ctx) {
        RowState s{load_reference<MaskRef>(ctx, "mask", model), {}};
        if (!s.mask) {
            ctx.skip_step("no MASK reference file (N/A)");
            return s;
        }
        s.user = load_user_dq(p);
        prepare_dq_init(model, *s.mask, s.user ? &*s.user : nullptr);
        return s;
    }
    static void process_rows(RampModel& model, const RowState& s, const Params&, std::size_t y0, std::size_t y1) {
        detail::dq_init_rows(model, s.mask->dq, s.user ? &*s.user : nullptr, y0, y1);
    }

private:
    static std::optional<NdArray<std::uint32_t, 2>> load_user_dq(const Params& p) {
        if (!p.user_supplied_dq || p.user_supplied_dq->empty()) return std::nullopt;
        fits::FitsReader reader(*p.user_supplied_dq);
        return reader.read<std::uint32_t, 2>(reader.has("DQ") ? "DQ" : "PRIMARY");
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::DqInitParams,
    (user_supplied_dq, "Path to a FITS file whose DQ array is OR-ed into the mask"))
ORRERY_REGISTER_STEP(orrery::jwst::DQInitStep)
