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

#include <cstdio>
#include <mutex>
#include <ostream>
#include <string>

namespace orrery::cli {

inline std::string format_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

class ProgressObserver final : public Observer {
public:
    ProgressObserver(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

    void on_event(const StepEvent& e) override {
        if (e.kind == StepEvent::Kind::start) return;
        std::lock_guard lock(mutex_);
        std::string line = terminal_ ? "\u25B6 " : "> ";
        if (e.index > 0 && e.total > 0) line += "[" + std::to_string(e.index) + "/" + std::to_string(e.total) + "] ";
        line += e.alias + (terminal_ ? " \u2026 " : " ... ");
        switch (e.kind) {
            case StepEvent::Kind::finish:
                ++done_;
                line += "done in " + format_seconds(e.seconds);
                if (e.status == StepStatus::failed) line += " (status FAILED" + (e.message.empty() ? std::string() : ": " + e.message) + ")";
                break;
            case StepEvent::Kind::skip:
                ++skipped_;
                line += "skipped";
                if (!e.message.empty() && e.message != "skip=True") line += " (" + e.message + ")";
                break;
            case StepEvent::Kind::error:
                ++failed_;
                failed_step_ = e.alias;
                line += "FAILED after " + format_seconds(e.seconds);
                break;
            case StepEvent::Kind::start: break;
        }
        out_ << line << "\n";
        out_.flush();
    }

    /// "✔ hello: 3 steps (3 done, 0 skipped) in 0.01 s" or "✘ hello: failed at count_words after 0.01 s".
    /// `failure` describes a failure outside any step (e.g. the input could not be read).
    void summary(const std::string& what, double seconds, bool ok, const std::string& failure = {}) {
        std::lock_guard lock(mutex_);
        std::string line = ok ? (terminal_ ? "\u2714 " : "OK ") : (terminal_ ? "\u2718 " : "FAILED ");
        line += what + ": ";
        const int steps = done_ + skipped_ + failed_;
        if (!ok && failed_step_.empty() && !failure.empty()) {
            line += "failed: " + failure;
        } else if (ok || failed_step_.empty()) {
            line += std::to_string(steps) + (steps == 1 ? " step" : " steps") + " (" + std::to_string(done_) + " done, " +
                    std::to_string(skipped_) + " skipped" + (failed_ ? ", " + std::to_string(failed_) + " failed" : std::string()) + ") in " +
                    format_seconds(seconds);
        } else {
            line += "failed at " + failed_step_ + " after " + format_seconds(seconds);
        }
        out_ << line << "\n";
        out_.flush();
        reset();
    }

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
