#pragma once
// Progress display: one line per step as it completes, then a summary line.
//
//   terminal:  ▶ [7/15] dark_current … done in 0.21 s
//              ▶ [8/15] persistence … skipped
//              ✔ calwebb_detector1: 15 steps (9 done, 6 skipped) in 4.31 s
//   otherwise: > [7/15] dark_current ... done in 0.21 s        (plain ASCII)
//
// Lines go to the given stream (stderr); "terminal" is decided by the caller
// (isatty on stderr).

#include "orrery/core/events.hpp"

#include <mutex>
#include <ostream>
#include <string>

namespace orrery::cli {

/// "0.21 s"
std::string format_seconds(double s);

class ProgressObserver final : public Observer {
public:
    ProgressObserver(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

    void on_event(const StepEvent& e) override;

    /// "✔ hello: 3 steps (3 done, 0 skipped) in 0.01 s" or "✘ hello: failed at count_words after 0.01 s".
    /// `failure` describes a failure outside any step (e.g. the input could not be read).
    void summary(const std::string& what, double seconds, bool ok, const std::string& failure = {});

    void reset() {
        done_ = skipped_ = failed_ = 0;
        failed_step_.clear();
    }

private:
    std::ostream& out_;
    bool terminal_;
    std::mutex mutex_;
    int done_ = 0, skipped_ = 0, failed_ = 0;
    std::string failed_step_;
};

}  // namespace orrery::cli
