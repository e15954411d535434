#pragma once
// What a kernel reports when the reference behaviour lets it decide not to run (e.g. group_scale
// with FRMDIVSR == NFRAMES): the step wrapper turns `skipped` into cal_step SKIPPED and
// logs `reason`. A kernel that always runs returns nothing.

#include <string>
#include <utility>

namespace orrery::jwst {

struct StepOutcome {
    bool skipped = false;
    std::string reason;  // why it was skipped (empty when it ran)

    [[nodiscard]] static StepOutcome complete() { return {}; }
    [[nodiscard]] static StepOutcome skip(std::string why) { return {true, std::move(why)}; }
};

}  // namespace orrery::jwst
