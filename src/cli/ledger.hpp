#pragma once
// The run ledger: one JSON object per line in <ledger dir>/<run id>.jsonl,
// written as the run goes (a crash leaves the records so far).
//
//   {"record":"step", "run_id", "input", "pipeline", "step", "class", "index", "total",
//    "status": "COMPLETE"|"SKIPPED"|"FAILED", "start" (UTC ISO-8601), "duration_s",
//    "params_digest" ("fnv1a64:<16 hex>" of the step's merged parameters),
//    "inputs": [{"path","size"}] or [{"from_step"}], "outputs": [{"path","size"}],
//    "references": [{"reftype","path","size"}], "error": null | "<message>"}
//   {"record":"input", "run_id", "path", "size", "status": "complete"|"failed", "error", "outputs"}
//   {"record":"run", "run_id", "command", "target", "class", "start", "duration_s",
//    "status": "complete"|"failed"|"degraded", "exit_code", "inputs", "cwd", "orrery_version"}
//
// Needs nlohmann/json (header-only).

#include "orrery/core/events.hpp"
#include "orrery/core/param_tree.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::cli {

/// FNV-1a 64 of text, as 16 hex digits: stable across runs, builds and platforms.
std::string fnv1a64_hex(std::string_view text);

/// Digest of a parameter tree (values and order, not sources).
std::string parameters_digest(const ParamNode& params);

/// "2026-11-25T11:32:05.123Z"
std::string iso_utc(std::chrono::system_clock::time_point t);

/// "20261125T113205Z-3fa2c1": sortable by time, unique enough per machine.
std::string new_run_id();

/// {"path", "size"} (size null if the file cannot be read).
nlohmann::json file_entry(const std::string& path);

class RunLedger final : public Observer {
public:
    RunLedger(const std::filesystem::path& dir, std::string run_id);

    [[nodiscard]] const std::string& run_id() const { return run_id_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    /// The merged parameters of the run (for the per-step digests): a pipeline's
    /// children are under "steps"; `standalone_alias` names a top-level step.
    void set_parameters(const ParamNode& tree, const std::string& standalone_alias = {});

    /// A new input starts: the next step record names it as its input.
    void begin_input(const std::string& path) {
        std::lock_guard lock(mutex_);
        input_ = path;
        previous_step_.clear();
    }

    void on_event(const StepEvent& e) override;

    void write(const nlohmann::json& record) {
        std::lock_guard lock(mutex_);
        write_locked(record);
    }

private:
    void write_locked(const nlohmann::json& j);

    std::string run_id_;
    std::filesystem::path path_;
    std::ofstream out_;
    std::mutex mutex_;
    std::map<std::string, std::string> digests_;
    std::string input_;
    std::string previous_step_;
};

}  // namespace orrery::cli
