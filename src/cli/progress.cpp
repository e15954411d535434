// Progress display (see progress.hpp).

#include "progress.hpp"

#include <cstdio>
#include <mutex>
#include <ostream>
#include <string>

namespace orrery::cli {

std::string format_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

void ProgressObserver::on_event(const StepEvent& e) {
    if (e.kind == StepEvent::Kind::start || e.kind == StepEvent::Kind::attempt) return;
    std::lock_guard lock(mutex_);
    std::string line = terminal_ ? "\u25B6 " : "> ";
    // Appended piece by piece: GCC 12 at -O3 gives a false -Wrestrict for "[" + string.
    if (e.index > 0 && e.total > 0) line.append("[").append(std::to_string(e.index)).append("/").append(std::to_string(e.total)).append("] ");
    line += (e.stage.empty() ? e.alias : e.stage) + (terminal_ ? " \u2026 " : " ... ");  // a graph stage shows its id
    switch (e.kind) {
        case StepEvent::Kind::finish:
            ++done_;
            line += "done in " + format_seconds(e.seconds);
            if (e.attempt > 1) line += " after " + std::to_string(e.attempt) + " attempts";
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
        case StepEvent::Kind::retry:
            line += "attempt " + std::to_string(e.attempt) + " failed (" + e.message + "); retrying in " + format_seconds(e.retry_delay_seconds);
            break;
        case StepEvent::Kind::start:
        case StepEvent::Kind::attempt: break;
    }
    out_ << line << "\n";
    out_.flush();
}

void ProgressObserver::summary(const std::string& what, double seconds, bool ok, const std::string& failure) {
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

}  // namespace orrery::cli
