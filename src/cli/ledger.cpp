// The run ledger (see ledger.hpp).

#include "ledger.hpp"

#include "orrery/core/errors.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace orrery::cli {

std::string fnv1a64_hex(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;  // FNV-1a 64 prime
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string parameters_digest(const ParamNode& params) { return "fnv1a64:" + fnv1a64_hex(params.to_string()); }

std::string iso_utc(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

std::string new_run_id() {
    const std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    std::random_device rd;
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(rd()) & 0xffffffu);
    return std::string(stamp) + "-" + suffix;
}

nlohmann::json file_entry(const std::string& path) {
    nlohmann::json j = {{"path", path}};
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    j["size"] = ec ? nlohmann::json(nullptr) : nlohmann::json(size);
    return j;
}

RunLedger::RunLedger(const std::filesystem::path& dir, std::string run_id) : run_id_(std::move(run_id)) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    path_ = dir / (run_id_ + ".jsonl");
    out_.open(path_, std::ios::out | std::ios::trunc);
    if (!out_) throw ConfigError("--ledger: cannot write " + path_.string());
}

void RunLedger::set_parameters(const ParamNode& tree, const std::string& standalone_alias) {
    digests_.clear();
    if (const auto* steps = tree.find("steps"); steps && steps->is_map())
        for (const auto& [alias, sub] : steps->children()) digests_[alias] = parameters_digest(sub);
    if (!standalone_alias.empty()) digests_[standalone_alias] = parameters_digest(tree);
}

void RunLedger::on_event(const StepEvent& e) {
    if (e.kind == StepEvent::Kind::start || e.kind == StepEvent::Kind::attempt) return;
    std::lock_guard lock(mutex_);
    nlohmann::json j;
    if (e.kind == StepEvent::Kind::retry) {  // a graph stage's failed attempt that will be retried
        j["record"] = "retry";
        j["run_id"] = run_id_;
        j["pipeline"] = e.pipeline;
        j["stage"] = e.stage;
        j["step"] = e.alias;
        j["attempt"] = e.attempt;
        j["delay_s"] = e.retry_delay_seconds;
        j["error"] = e.message;
        write_locked(j);
        return;
    }
    j["record"] = "step";
    j["run_id"] = run_id_;
    j["input"] = input_;
    j["pipeline"] = e.pipeline;
    j["step"] = e.alias;
    j["class"] = e.class_name;
    j["index"] = e.index;
    j["total"] = e.total;
    j["status"] = e.kind == StepEvent::Kind::error ? "FAILED" : status_text(e.status == StepStatus::not_set ? StepStatus::complete : e.status);
    j["start"] = iso_utc(e.wall_start);
    j["duration_s"] = e.seconds;
    auto d = digests_.find(e.alias);
    j["params_digest"] = d != digests_.end() ? d->second : "fnv1a64:" + fnv1a64_hex(e.parameters);
    if (previous_step_.empty()) j["inputs"] = nlohmann::json::array({file_entry(input_)});
    else j["inputs"] = nlohmann::json::array({{{"from_step", previous_step_}}});
    previous_step_ = e.alias;
    j["outputs"] = nlohmann::json::array();
    for (const auto& o : e.outputs) j["outputs"].push_back(file_entry(o));
    j["references"] = nlohmann::json::array();
    for (const auto& r : e.references) {
        const auto eq = r.find('=');
        nlohmann::json ref = file_entry(eq == std::string::npos ? r : r.substr(eq + 1));
        ref["reftype"] = r.substr(0, eq);
        j["references"].push_back(ref);
    }
    j["error"] = e.kind == StepEvent::Kind::error ? nlohmann::json(e.message) : nlohmann::json(nullptr);
    if (!e.stage.empty()) {
        j["stage"] = e.stage;
        j["attempts"] = e.attempt;
        j["output_count"] = e.output_count;
    }
    write_locked(j);
}

void RunLedger::write_locked(const nlohmann::json& j) {
    out_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out_.flush();
}

}  // namespace orrery::cli
