// `orrery graph <command> FILE ...`: the orchestrator for stage-graph files
// (docs/orchestrator.md). Commands: list, describe, validate, run, run-stage,
// doctor, logs, dot, schema. Exit codes: 0 success; 1 a stage failed (a degraded
// --continue-on-error run included); 2 a usage, file or configuration error, found
// before any stage runs.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "logging.hpp"

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/logger.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"
#include "orrery/stpipe/reference_directory.hpp"
// The adapters register themselves here (every program with the CLI has them);
// workflow types with their step handlers are the program's choice (tools/orrery adds `release`).
#include "orrery/workflow/adapter_set.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/env_file.hpp"
#include "orrery/workflow/filesystem_adapter.hpp"
#include "orrery/workflow/git_adapter.hpp"
#include "orrery/workflow/graph_file_loader.hpp"
#include "orrery/workflow/graph_runner.hpp"
#include "orrery/workflow/graph_schema.hpp"
#include "orrery/workflow/http_adapter.hpp"
#include "orrery/workflow/run_ledger.hpp"
#include "orrery/workflow/runtime.hpp"
#include "orrery/workflow/stage_selection.hpp"
#include "orrery/workflow/step_handler.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace orrery::cli {

namespace {

using namespace orrery::workflow;

constexpr const char* graph_usage =
    "usage: orrery graph <command> FILE [arguments]\n\n"
    "commands:\n"
    "  list FILE                          pipelines and stages of a graph file\n"
    "  describe FILE <stage | pipeline>   one stage or pipeline in full\n"
    "  validate FILE                      check the file (schema, references, cycles, steps)\n"
    "  run FILE [PIPELINE] [flags]        run a pipeline (default: the file's default, full-refresh)\n"
    "  run-stage FILE STAGE [flags]       run one stage alone (its inputs as they are on disk)\n"
    "  doctor FILE                        interpreters, programs, environment, run directory, adapters\n"
    "  logs FILE [RUN_ID | last] [--follow] [--json]   the run ledger\n"
    "  dot FILE [PIPELINE]                the graph in Graphviz dot\n"
    "  schema                             the JSON Schema of graph files\n\n"
    "run flags: --only A,B  --skip A,B  --from A  --to B  --dry-run  --continue-on-error  --force\n"
    "           --resume RUN_ID|last  --jobs N  --param K=V  --env-file PATH  --ledger DIR\n"
    "           --ref-dir DIR  --log-level LEVEL  --no-progress  --no-global-config\n"
    "exit codes: 0 success, 1 a stage failed (or the run is degraded), 2 usage or graph-file error\n";

struct GraphArgs {
    std::vector<std::string> positionals;
    GraphRunOptions run;
    std::string log_level = "WARNING";
    std::string ref_dir;
    bool no_progress = false;
    bool follow = false;
    bool json = false;
};

std::vector<std::string> split_list(const std::string& v) {
    std::vector<std::string> out;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

GraphArgs parse_graph_args(std::span<const std::string> args) {
    GraphArgs a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string value;
        bool has_value = false;
        if (flag.rfind("--", 0) == 0) {
            if (auto eq = flag.find('='); eq != std::string::npos) {
                value = flag.substr(eq + 1);
                flag = flag.substr(0, eq);
                has_value = true;
            }
        } else {
            a.positionals.push_back(flag);
            continue;
        }
        const auto take = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
            return args[++i];
        };
        const auto no_value = [&] {
            if (has_value) throw UsageError(flag + " takes no value");
        };
        if (flag == "--only") for (auto& s : split_list(take())) a.run.selection.only.push_back(s);
        else if (flag == "--skip") for (auto& s : split_list(take())) a.run.selection.skip.push_back(s);
        else if (flag == "--from") a.run.selection.from = take();
        else if (flag == "--to") a.run.selection.to = take();
        else if (flag == "--dry-run") no_value(), a.run.dry_run = true;
        else if (flag == "--continue-on-error") no_value(), a.run.continue_on_error = true;
        else if (flag == "--force") no_value(), a.run.force = true;
        else if (flag == "--resume") a.run.resume = take();
        else if (flag == "--jobs" || flag == "-j") {
            const std::string v = take();
            try {
                std::size_t used = 0;
                a.run.jobs = std::stoi(v, &used);
                if (used != v.size() || a.run.jobs < 1) throw std::invalid_argument(v);
            } catch (const std::exception&) {
                throw UsageError("--jobs: expected a positive whole number, got '" + v + "'");
            }
        } else if (flag == "--param") {
            const std::string kv = take();
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) throw UsageError("--param: expected NAME=VALUE, got '" + kv + "'");
            a.run.params[kv.substr(0, eq)] = kv.substr(eq + 1);
        } else if (flag == "--env-file") {
            for (auto& [k, v] : read_env_file(take())) a.run.env_file[k] = v;
        } else if (flag == "--ledger") a.run.ledger_dir = std::filesystem::absolute(take());
        else if (flag == "--ref-dir") a.ref_dir = take();
        else if (flag == "--log-level") a.log_level = take();
        else if (flag == "--no-progress") no_value(), a.no_progress = true;
        else if (flag == "--no-global-config") no_value(), a.run.global_config = false;
        else if (flag == "--follow") no_value(), a.follow = true;
        else if (flag == "--json") no_value(), a.json = true;
        else if (flag == "--debug") continue;
        else
            throw UsageError("unknown option '" + flag + "'" +
                             did_you_mean(flag, {"--only", "--skip", "--from", "--to", "--dry-run", "--continue-on-error", "--force", "--resume", "--jobs",
                                                 "--param", "--env-file", "--ledger", "--ref-dir", "--log-level", "--no-progress", "--no-global-config",
                                                 "--follow", "--json"}));
    }
    return a;
}

const std::string& graph_file_arg(const GraphArgs& a, const char* command) {
    if (a.positionals.empty()) throw UsageError(std::string("graph ") + command + ": which graph file? (usage: orrery graph " + command + " FILE ...)");
    return a.positionals.front();
}

/// Logging to stderr at --log-level; steps' row loops on oneTBB; the reference
/// directory for registered steps that need reference files.
void prepare_graph_context(Context& ctx, const GraphArgs& a) {
    ctx.set_logger(std::make_shared<StreamLogger>(stderr, parse_log_level(a.log_level)));
    ctx.set_parallel_for(tbb_parallel_for());
    ctx.set_reference_resolver(std::make_shared<stpipe::ReferenceDirectory>(a.ref_dir.empty() ? stpipe::ReferenceDirectory::from_environment()
                                                                                               : stpipe::ReferenceDirectory(a.ref_dir)));
}

std::string stage_kind(const StageDecl& s) {
    if (s.is_command()) return (s.command->runtime.empty() ? std::string("command") : s.command->runtime) + ": " + s.command->program;
    return "step: " + s.step;
}

std::string joined(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

int list_graph(const GraphArgs& a, Streams io) {
    const GraphFile g = load_graph_file(graph_file_arg(a, "list"));
    io.out << g.name << (g.description.empty() ? "" : " — " + g.description) << "\n";
    if (!g.workflow.empty()) io.out << "workflow: " << g.workflow << "\n";
    io.out << "pipelines:\n";
    for (const auto& name : g.pipeline_names()) {
        const auto* ids = g.find_pipeline(name);
        std::vector<std::string> all;
        if (!ids)
            for (const auto& s : g.stages) all.push_back(s.id);
        io.out << "  " << name << (name == g.default_pipeline ? " (default)" : "") << ": " << joined(ids ? *ids : all) << "\n";
    }
    io.out << "stages:\n";
    for (const auto& s : g.stages) {
        io.out << "  " << std::left << std::setw(20) << s.id << " " << stage_kind(s);
        if (!s.dependencies().empty()) io.out << "  needs " << joined(s.dependencies());
        if (s.optional) io.out << "  (optional)";
        io.out << "\n";
        if (!s.description.empty()) io.out << "  " << std::setw(20) << "" << " " << s.description << "\n";
    }
    return exit_success;
}

int describe_graph(const GraphArgs& a, Streams io) {
    const GraphFile g = load_graph_file(graph_file_arg(a, "describe"));
    if (a.positionals.size() < 2) throw UsageError("graph describe: which stage or pipeline?");
    const std::string& name = a.positionals[1];
    if (const StageDecl* s = g.find_stage(name)) {
        io.out << "stage " << s->id << "  (" << g.where(s->pointer) << ")\n";
        if (!s->description.empty()) io.out << "  " << s->description << "\n";
        if (s->is_command()) {
            io.out << "  command: " << s->command->program;
            for (const auto& arg : s->command->args) io.out << " " << arg;
            io.out << "\n  runtime: " << (s->command->runtime.empty() ? "detected from the program" : s->command->runtime) << "\n";
            if (!s->command->cwd.empty()) io.out << "  cwd: " << s->command->cwd << "\n";
            for (const auto& [k, v] : s->command->env) io.out << "  env " << k << "=" << v << "\n";
        } else {
            io.out << "  step: " << s->step << "\n";
            if (!s->parameters.empty()) io.out << "  parameters: " << s->parameters.dump() << "\n";
            if (const StepInfo* info = Registry::instance().find(s->step)) {
                io.out << "  " << info->class_name << ": " << info->description << "\n";
                io.out << "  parameter schema: " << parameters_schema(*info).dump() << "\n";
            }
        }
        if (!s->dependencies().empty()) io.out << "  needs: " << joined(s->dependencies()) << "\n";
        for (const auto& in : s->inputs) io.out << "  input " << in.name << ": " << in.path << "\n";
        for (const auto& out : s->outputs) io.out << "  output " << out.name << ": " << out.path << (out.schema.empty() ? "" : "  (schema " + out.schema + ")") << "\n";
        if (s->retry.max_attempts > 1)
            io.out << "  retry: " << s->retry.max_attempts << " attempts, backoff " << s->retry.initial_backoff.count() << " ms x" << s->retry.multiplier << " up to "
                   << s->retry.max_backoff.count() << " ms\n";
        if (s->timeout) io.out << "  timeout: " << s->timeout->count() << " ms\n";
        if (!s->when.empty()) io.out << "  when: " << s->when << "\n";
        if (s->optional) io.out << "  optional: its failure does not fail the run\n";
        io.out << "  hooks: " << s->hooks.pre.size() << " pre, " << s->hooks.post.size() << " post (plus global hooks)\n";
        return exit_success;
    }
    if (name == "full-refresh" || g.find_pipeline(name)) {
        GraphRunOptions o;
        o.selection.pipeline = name;
        const Selection sel = select_stages(g, o.selection);
        io.out << "pipeline " << name << (name == g.default_pipeline ? " (default)" : "") << ": " << sel.stages.size() << " stages in run order\n";
        for (std::size_t i = 0; i < sel.stages.size(); ++i) io.out << "  " << i + 1 << ". " << sel.stages[i] << "  " << stage_kind(*g.find_stage(sel.stages[i])) << "\n";
        return exit_success;
    }
    std::vector<std::string> names = g.pipeline_names();
    for (const auto& s : g.stages) names.push_back(s.id);
    throw UsageError("graph describe: no stage or pipeline '" + name + "' in " + g.document.path.string() + did_you_mean(name, names));
}

int validate_graph(const GraphArgs& a, Streams io) {
    const GraphFile g = load_graph_file(graph_file_arg(a, "validate"));
    io.out << g.document.path.string() << ": valid (" << g.stages.size() << " stages, " << g.pipeline_names().size() << " pipelines)\n";
    return exit_success;
}

int dot_graph(const GraphArgs& a, Streams io) {
    const GraphFile g = load_graph_file(graph_file_arg(a, "dot"));
    std::set<std::string> in;
    GraphRunOptions o;
    if (a.positionals.size() > 1) o.selection.pipeline = a.positionals[1];
    for (const auto& id : select_stages(g, o.selection).stages) in.insert(id);
    const auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
    io.out << "digraph " << quoted(g.name) << " {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
    for (const auto& s : g.stages) {
        if (!in.count(s.id)) continue;
        io.out << "  " << quoted(s.id) << " [label=" << quoted(s.id + "\\n" + (s.is_command() ? s.command->program : s.step)) << (s.optional ? ", style=\"rounded,dashed\"" : "")
               << (s.when.empty() ? "" : ", color=blue") << "];\n";
    }
    for (const auto& s : g.stages)
        for (const auto& d : s.dependencies())
            if (in.count(s.id) && in.count(d)) io.out << "  " << quoted(d) << " -> " << quoted(s.id) << ";\n";
    io.out << "}\n";
    return exit_success;
}

/// `▶ [2/6] parse … done in 1.2 s` per finished stage, on stderr.
class ProgressLines final : public GraphRunObserver {
public:
    explicit ProgressLines(std::ostream& err) : err_(err) {}
    void on_start(const GraphRunReport& r, const std::vector<std::string>& stages) override {
        err_ << "run " << r.run_id << ": pipeline " << r.pipeline << ", " << stages.size() << " stage" << (stages.size() == 1 ? "" : "s") << "\n";
    }
    void on_stage(const StageOutcome& o, std::size_t finished, std::size_t total) override {
        std::lock_guard lock(mutex_);
        std::string what;
        if (o.status == "succeeded") what = "done in " + seconds(o.seconds) + (o.attempts > 1 ? " (attempt " + std::to_string(o.attempts) + ")" : "");
        else if (o.status == "cached") what = "cached";
        else if (o.status == "resumed") what = "done before (resumed)";
        else if (o.status == "failed") what = "FAILED after " + seconds(o.seconds) + ": " + o.message;
        else what = o.status + (o.message.empty() ? "" : " (" + o.message + ")");
        if (finished > 0) err_ << "▶ [" << finished << "/" << total << "] " << o.id << " … " << what << "\n";
        else err_ << "  " << o.id << " … " << what << "\n";
        err_.flush();
    }

private:
    static std::string seconds(double s) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f s", s);
        return buf;
    }
    std::ostream& err_;
    std::mutex mutex_;
};

void print_plan(const GraphRunReport& r, Streams io) {
    io.out << "dry run: pipeline " << r.pipeline << ", " << r.stages.size() << " stage" << (r.stages.size() == 1 ? "" : "s") << " (nothing is executed)\n";
    for (std::size_t i = 0; i < r.stages.size(); ++i) {
        const auto& s = r.stages[i];
        const auto& d = s.resolved;
        io.out << "  " << i + 1 << ". " << s.id;
        if (!s.message.empty()) io.out << "  [" << s.message << "]";
        io.out << "\n";
        if (d.contains("command")) {
            io.out << "       $";
            for (const auto& arg : d["command"]) io.out << " " << arg.get<std::string>();
            io.out << "\n       cwd: " << d["cwd"].get<std::string>() << "\n";
            for (const auto& [k, v] : d["env"].items()) io.out << "       env " << k << "=" << v.get<std::string>() << "\n";
        } else {
            io.out << "       step " << d["step"].get<std::string>() << " " << d["parameters"].dump() << "\n";
        }
        if (d.contains("when")) io.out << "       when: " << d["when"].get<std::string>() << "\n";
        if (d.contains("inputs"))
            for (const auto& [k, v] : d["inputs"].items()) io.out << "       input " << k << ": " << v.get<std::string>() << "\n";
        if (d.contains("outputs"))
            for (const auto& [k, v] : d["outputs"].items()) io.out << "       output " << k << ": " << v.get<std::string>() << "\n";
    }
    if (!r.left_out.empty()) io.out << "left out: " << joined(r.left_out) << "\n";
}

int run_graph(const GraphArgs& a, Streams io, bool single_stage) {
    const char* command = single_stage ? "run-stage" : "run";
    GraphArgs args = a;
    const GraphFile g = load_graph_file(graph_file_arg(args, command));
    if (single_stage) {
        if (args.positionals.size() != 2) throw UsageError("graph run-stage: give exactly one stage (usage: orrery graph run-stage FILE STAGE)");
        if (!args.run.selection.only.empty() || !args.run.selection.from.empty() || !args.run.selection.to.empty() || !args.run.selection.skip.empty())
            throw UsageError("graph run-stage: --only, --skip, --from and --to do not apply to one stage");
        args.run.selection.only = {args.positionals[1]};
        // Any pipeline holding it: run-stage reaches every stage.
        args.run.selection.pipeline = "full-refresh";
        if (g.find_pipeline("full-refresh")) {
            const auto* ids = g.find_pipeline("full-refresh");
            if (std::find(ids->begin(), ids->end(), args.positionals[1]) == ids->end())
                for (const auto& [name, list] : g.pipelines)
                    if (std::find(list.begin(), list.end(), args.positionals[1]) != list.end()) args.run.selection.pipeline = name;
        }
    } else if (args.positionals.size() > 2) {
        throw UsageError("graph run: unexpected argument '" + args.positionals[2] + "' (usage: orrery graph run FILE [PIPELINE] [flags])");
    } else if (args.positionals.size() == 2) {
        args.run.selection.pipeline = args.positionals[1];
    }
    // Registered steps find reference files in --ref-dir, else config ref_dir (relative
    // to the graph file; --param ref_dir=... overrides it), else ORRERY_REF_DIR.
    if (args.ref_dir.empty()) {
        std::string ref_dir;
        if (auto it = args.run.params.find("ref_dir"); it != args.run.params.end()) ref_dir = it->second;
        else if (g.config.contains("ref_dir") && g.config["ref_dir"].is_string()) ref_dir = g.config["ref_dir"].get<std::string>();
        if (!ref_dir.empty())
            args.ref_dir = std::filesystem::absolute(std::filesystem::path(ref_dir).is_absolute() ? std::filesystem::path(ref_dir) : g.base_dir() / ref_dir).lexically_normal().string();
    }
    Context ctx;
    prepare_graph_context(ctx, args);
    ProgressLines progress(io.err);
    GraphRunReport r = run_graph_file(g, args.run, ctx, args.no_progress || args.run.dry_run ? nullptr : &progress);
    if (args.run.dry_run) {
        print_plan(r, io);
        return exit_success;
    }
    std::map<std::string, int> counts;
    for (const auto& s : r.stages) ++counts[s.status];
    std::string tally;
    for (const auto& [status, n] : counts) tally += (tally.empty() ? "" : ", ") + std::to_string(n) + " " + status;
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", r.seconds);
    io.err << "pipeline " << r.pipeline << ": " << graph_status_text(r.status) << " in " << secs << " (" << tally << "); ledger " << r.ledger.string() << "\n";
    for (const auto& s : r.stages) {
        if (s.status != "failed") continue;
        io.err << (s.optional ? "optional stage '" : "stage '") << s.id << "' failed";
        if (s.exit_code != 0) io.err << " with exit code " << s.exit_code;
        io.err << ": " << s.message << "\n";
        if (!s.log.empty()) io.err << "  log: " << s.log.string() << "\n";
        io.err << "  rerun it: " << s.rerun << "\n";
    }
    if (!r.ok() && !args.run.continue_on_error) io.err << "  resume the run: orrery graph run " << g.document.path.string() << " --resume " << r.run_id << "\n";
    return r.ok() ? exit_success : exit_step_failed;
}

std::string version_of(const std::string& program) {
    ProcessSpec spec;
    spec.program = program;
    spec.args = {"--version"};
    spec.timeout = std::chrono::milliseconds(5000);
    try {
        const ProcessResult p = run_process(spec);
        std::string v = p.output.substr(0, p.output.find('\n'));
        return p.ok() ? v : "failed: " + describe_exit(p);
    } catch (const std::exception& e) {
        return std::string("failed: ") + e.what();
    }
}

int doctor_graph(const GraphArgs& a, Streams io) {
    const GraphFile g = load_graph_file(graph_file_arg(a, "doctor"));
    int problems = 0;
    const auto line = [&](bool ok, const std::string& what) {
        io.out << (ok ? "  ok    " : "  FAIL  ") << what << "\n";
        if (!ok) ++problems;
    };
    io.out << g.document.path.string() << ": valid, " << g.stages.size() << " stages\n";
    std::set<std::string> runtimes;
    for (const auto& s : g.stages)
        if (s.command) runtimes.insert(s.command->runtime.empty() ? std::string(runtime_name(detect_runtime(g.base_dir() / s.command->program))) : s.command->runtime);
    io.out << "interpreters and programs:\n";
    for (const Runtime rt : {Runtime::python, Runtime::node, Runtime::shell}) {
        const std::string name(runtime_name(rt));
        const auto interp = find_interpreter(rt);
        const bool needed = runtimes.count(name) > 0;
        if (interp) line(true, name + ": " + interp->path.string() + " (" + interp->version + ")");
        else line(!needed, name + ": not found" + std::string(needed ? " — stages of the file need it" : " (not needed by this file)"));
    }
    {
        const auto git = find_program("git");
        const bool needed = g.adapters.contains("git") || g.workflow == "release";
        if (git) line(true, "git: " + git->string() + " (" + version_of(git->string()) + ")");
        else line(!needed, "git: not found" + std::string(needed ? " — the git adapter needs it" : ""));
    }
    for (const auto& p : g.required_programs) {
        const auto found = find_program(p);
        line(found.has_value(), p + (found ? ": " + found->string() : ": not on PATH (requires.programs)"));
    }
    if (!g.required_env.empty()) {
        io.out << "environment:\n";
        std::map<std::string, std::string> env_file = a.run.env_file;
        for (const auto& name : g.required_env) line(std::getenv(name.c_str()) != nullptr || env_file.count(name), name + (std::getenv(name.c_str()) || env_file.count(name) ? " is set" : " is not set (requires.env)"));
    }
    io.out << "run directory:\n";
    {
        GraphRunOptions o = a.run;
        const auto dir = ledger_dir_of(g, o);
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        const bool writable = !ec && ::access(dir.c_str(), W_OK) == 0;
        line(writable, dir.string() + (writable ? " is writable" : " is not writable"));
    }
    if (!g.adapters.empty()) {
        io.out << "adapters:\n";
        Context ctx;
        try {
            AdapterSet adapters = AdapterSet::from_json(g.adapters, ctx, std::filesystem::absolute(g.base_dir()).lexically_normal());
            for (const auto& [name, c] : g.adapters.items()) line(true, name + ": started");
        } catch (const std::exception& e) {
            line(false, one_line(e.what()));
        }
    }
    io.out << (problems == 0 ? "no problems found\n" : std::to_string(problems) + " problem(s)\n");
    return problems == 0 ? exit_success : exit_usage;
}

void print_record(const nlohmann::json& r, std::ostream& out) {
    const auto s = [&](const char* key) { return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : std::string(); };
    if (s("record") == "run") {
        out << s("time") << "  run " << s("run_id") << " " << s("event") << " pipeline " << s("pipeline");
        if (r.contains("status")) out << " " << s("status");
        if (r.contains("duration_ms")) out << " in " << r["duration_ms"].get<long long>() / 1000.0 << " s";
        out << "\n";
        return;
    }
    out << s("time") << "  " << std::left << std::setw(18) << s("stage") << " " << std::setw(9) << s("status");
    if (r.contains("duration_ms") && r["duration_ms"].is_number() && r["duration_ms"].get<long long>() > 0) out << " " << r["duration_ms"].get<long long>() << " ms";
    if (r.contains("attempt") && r["attempt"].is_number() && r["attempt"].get<int>() > 1) out << " attempt " << r["attempt"].get<int>();
    if (r.contains("exit_code") && r["exit_code"].is_number() && r["exit_code"].get<int>() != 0) out << " exit " << r["exit_code"].get<int>();
    if (!s("message").empty()) out << "  " << s("message");
    if (r.contains("artifacts") && r["artifacts"].is_array())
        for (const auto& art : r["artifacts"]) out << "\n      " << art.value("name", "") << " " << art.value("path", "") << " sha256:" << art.value("sha256", "").substr(0, 12);
    out << "\n";
}

int logs_graph(const GraphArgs& a, Streams io) {
    const GraphFile g = load_graph_file(graph_file_arg(a, "logs"));
    const auto dir = ledger_dir_of(g, a.run);
    if (a.positionals.size() < 2 && !a.follow) {
        const auto runs = list_runs(dir);
        if (runs.empty()) io.out << "no runs in " << dir.string() << "\n";
        for (const auto& r : runs) {
            std::string counts;
            for (const auto& [status, n] : r.stage_counts) counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + status;
            io.out << r.run_id << "  " << r.status << "  " << r.started << "  " << counts << (r.problem.empty() ? "" : "  (" + r.problem + ")") << "\n";
        }
        return exit_success;
    }
    const std::string id = a.positionals.size() > 1 ? a.positionals[1] : "last";
    const auto path = find_run(dir, id);
    if (!path) throw UsageError("graph logs: no run '" + id + "' in " + dir.string());
    std::size_t shown = 0;
    while (true) {
        const auto records = read_ledger(*path);
        for (; shown < records.size(); ++shown) {
            if (a.json) io.out << records[shown].dump() << "\n";
            else print_record(records[shown], io.out);
        }
        io.out.flush();
        const bool finished = !records.empty() && records.back().value("record", "") == "run" && records.back().value("event", "") == "finish";
        if (!a.follow || finished) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return exit_success;
}

}  // namespace

int graph_command(std::span<const std::string> args, Streams io) {
    if (args.empty() || args.front() == "-h" || args.front() == "--help") {
        (args.empty() ? io.err : io.out) << graph_usage;
        return args.empty() ? exit_usage : exit_success;
    }
    const std::string sub = args.front();
    const GraphArgs a = parse_graph_args(args.subspan(1));
    if (sub == "list") return list_graph(a, io);
    if (sub == "describe") return describe_graph(a, io);
    if (sub == "validate") return validate_graph(a, io);
    if (sub == "run") return run_graph(a, io, false);
    if (sub == "run-stage") return run_graph(a, io, true);
    if (sub == "doctor") return doctor_graph(a, io);
    if (sub == "logs") return logs_graph(a, io);
    if (sub == "dot") return dot_graph(a, io);
    if (sub == "schema") {
        io.out << stage_graph_schema_text.substr(1);
        return exit_success;
    }
    throw UsageError("graph: unknown command '" + sub + "'" +
                     did_you_mean(sub, {"list", "describe", "validate", "run", "run-stage", "doctor", "logs", "dot", "schema"}));
}

}  // namespace orrery::cli
