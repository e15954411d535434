#pragma once
// charge_migration: flag groups after a high signal (and their 4 neighbours) as CHARGELOSS.

#include "orrery/jwst/algorithms/charge_migration.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct ChargeMigrationStep {
    static constexpr std::string_view name = "charge_migration";
    static constexpr std::string_view class_name = "jwst.charge_migration.ChargeMigrationStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.charge_migration.charge_migration_step.ChargeMigrationStep", "jwst.step.ChargeMigrationStep"};
    static constexpr std::string_view description = "Flag groups affected by charge migration (CHARGELOSS)";
    static constexpr std::string_view status_key = "charge_migration";
    static constexpr bool default_skip = true;
    using Params = ChargeMigrationParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        report_outcome(ctx, flag_charge_migration(model, p));
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::ChargeMigrationParams,
    (signal_threshold, "Signal level in DN above which later groups are flagged CHARGELOSS"))
ORRERY_REGISTER_STEP(orrery::jwst::ChargeMigrationStep)
