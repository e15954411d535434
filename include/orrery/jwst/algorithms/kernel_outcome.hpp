#pragma once
// What a computation kernel reports back when it, not the caller, decides that
// the step is skipped (jwst sets cal_step.<step> = "SKIPPED" in those cases).

#include <string>
#include <utility>

namespace orrery::jwst {

struct KernelOutcome {
    bool skipped = false;  // true: the model was left unchanged and the step counts as SKIPPED
    std::string reason;    // why it was skipped, or a note about a COMPLETE run (may be empty)

    static KernelOutcome complete(std::string note = {}) { return {false, std::move(note)}; }
    static KernelOutcome skip(std::string why) { return {true, std::move(why)}; }
};

}  // namespace orrery::jwst
