#pragma once
// Type-erased wrappers that put a step type or a static pipeline behind the
// AnyStep interface, for the registry, the CLI and the dynamic pipeline. They
// call the same run_step / Pipeline::run as the static path.

#include "orrery/core/any_value.hpp"
#include "orrery/core/fused.hpp"
#include "orrery/core/pipeline.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/core/step_traits.hpp"

#include <memory>
#include <string>
#include <vector>

namespace orrery {

namespace detail {
inline std::string package_of(std::string_view class_name) { return std::string(class_package(class_name)); }

template <Step S>
PlanEntry plan_entry(const StepConfig<S>& cfg, const Context& ctx) {
    PlanEntry e;
    e.alias = std::string(step_traits<S>::name);
    e.class_name = std::string(step_traits<S>::class_name);
    e.skip = cfg.settings.skip;
    for (const auto& [k, v] : cfg.explicit_values.children()) e.non_default.emplace_back(k, v);
    for (auto r : step_traits<S>::reference_types())
        e.references.push_back(std::string(r) + ": " + ctx.references().describe(std::string(r), cfg.overrides));
    return e;
}

/// Fill StepInfo::load_input / save_output from product_traits (the command line's file I/O).
template <class In, class Out>
void set_product_io(StepInfo& i) {
    // Specialisations may omit the flags: absent means "no".
    if constexpr (Loadable<In>)
        i.load_input = [](const std::filesystem::path& p) { return AnyValue(product_traits<In>::load(p)); };
    if constexpr (requires(const Out& o) { product_traits<Out>::summary(o); })
        i.summarize_output = [](const AnyValue& v) { return product_summary(*v.get<Out>()); };
    if constexpr (Saveable<Out>)
        i.save_output = [](const AnyValue& v, const OutputNamer& namer, std::string_view suffix) {
            return product_traits<Out>::save(*v.get<Out>(), namer, suffix);
        };
    if constexpr (requires(const Out& o) { product_traits<Out>::filename(o); })
        i.output_filename = [](const AnyValue& v) { return std::string(product_traits<Out>::filename(*v.get<Out>())); };
}
}  // namespace detail

template <Step S>
StepInfo make_step_info(std::string origin = {});

template <Step S>
class StepModel final : public AnyStep {
public:
    StepModel() : info_(make_step_info<S>()) {}
    [[nodiscard]] const StepInfo& info() const override { return info_; }
    void configure(const ParamNode& tree) override { configure_step<S>(config_, tree); }
    [[nodiscard]] ParamNode parameters() const override { return step_parameters<S>(config_); }
    [[nodiscard]] StepSettings& settings() override { return config_.settings; }
    AnyValue run(AnyValue input, Context& ctx) override {
        RunInfo run = ctx.run_info();
        run.instance_name = name();  // names its products when it runs on its own
        const auto scope = ctx.scoped_run_info(std::move(run));
        return AnyValue(run_step<S>(config_, input.take<step_input_t<S>>(), ctx));
    }
    [[nodiscard]] std::vector<PlanEntry> plan(const Context& ctx) const override {
        return {detail::plan_entry<S>(config_, ctx)};
    }
    [[nodiscard]] std::unique_ptr<RowStage> row_stage() const override {
        if constexpr (RowStep<S>) {
            if (fusable(config_)) return std::make_unique<RowStageOf<S>>(config_);
        }
        return nullptr;
    }
    StepConfig<S>& config() { return config_; }

private:
    StepInfo info_;
    StepConfig<S> config_;
};

template <class P>
StepInfo make_pipeline_info(std::string origin = {});

template <class P>
class PipelineModel final : public AnyStep {
public:
    PipelineModel() : info_(make_pipeline_info<P>()), pipeline_(make_pipeline<P>()) {}
    [[nodiscard]] const StepInfo& info() const override { return info_; }
    void configure(const ParamNode& tree) override { pipeline_.configure(tree); }
    [[nodiscard]] ParamNode parameters() const override { return pipeline_.parameters(); }
    [[nodiscard]] StepSettings& settings() override { return pipeline_.settings; }
    AnyValue run(AnyValue input, Context& ctx) override {
        using In = typename pipeline_of<P>::input;
        return AnyValue(pipeline_.run(input.take<In>(), ctx));
    }
    [[nodiscard]] std::vector<PlanEntry> plan(const Context& ctx) const override {
        std::vector<PlanEntry> out;
        pipeline_.for_each_step([&](const auto& cfg) {
            using S = typename std::remove_cvref_t<decltype(cfg)>::step_type_tag;
            for (const auto& e : out)
                if (e.alias == step_traits<S>::name) return;
            out.push_back(detail::plan_entry<S>(cfg, ctx));
        });
        return out;
    }
    [[nodiscard]] std::vector<std::string> reference_uses() const override { return pipeline_.reference_uses(); }
    pipeline_of<P>& pipeline() { return pipeline_; }

private:
    StepInfo info_;
    pipeline_of<P> pipeline_;
};

template <Step S>
StepInfo make_step_info(std::string origin) {
    using T = step_traits<S>;
    StepInfo i;
    i.alias = std::string(T::name);
    i.class_name = std::string(T::class_name);
    i.package = detail::package_of(T::class_name);
    for (auto path : T::import_paths()) i.import_paths.emplace_back(path);
    i.kind = StepKind::step;
    i.description = std::string(T::description);
    i.status_key = std::string(T::status_key);
    i.default_skip = T::default_skip;
    i.row_step = RowStep<S>;
    i.skippable = T::skippable;
    i.params = params_schema<typename S::Params>();
    for (auto r : T::reference_types()) i.reference_types.emplace_back(r);
    i.input_type = typeid(step_input_t<S>);
    i.output_type = typeid(step_output_t<S>);
    i.input_type_name = type_name<step_input_t<S>>();
    i.output_type_name = type_name<step_output_t<S>>();
    i.output_ext = std::string(product_extension<step_output_t<S>>());
    i.origin = std::move(origin);
    i.factory = [] { return std::unique_ptr<AnyStep>(std::make_unique<StepModel<S>>()); };
    detail::set_product_io<step_input_t<S>, step_output_t<S>>(i);
    if constexpr (SavesOwnResults<S>)
        i.save_output = [](const AnyValue& v, const OutputNamer& namer, std::string_view suffix) {
            return S::save(*v.get<step_output_t<S>>(), namer, suffix);
        };
    return i;
}

template <class P>
StepInfo make_pipeline_info(std::string origin) {
    using Pipe = pipeline_of<P>;
    StepInfo i;
    i.alias = std::string(P::name);
    if constexpr (requires { P::class_name; }) i.class_name = std::string(P::class_name);
    else i.class_name = i.alias;
    i.package = detail::package_of(i.class_name);
    if constexpr (requires { P::import_paths; })
        for (auto path : P::import_paths) i.import_paths.emplace_back(path);
    i.kind = StepKind::pipeline;
    if constexpr (requires { P::description; }) i.description = std::string(P::description);
    i.params = params_schema<typename P::Params>();
    i.skippable = std::is_same_v<typename Pipe::input, typename Pipe::output>;
    i.input_type = typeid(typename Pipe::input);
    i.output_type = typeid(typename Pipe::output);
    i.input_type_name = type_name<typename Pipe::input>();
    i.output_type_name = type_name<typename Pipe::output>();
    i.children = make_pipeline<P>().aliases();
    i.output_ext = std::string(product_extension<typename Pipe::output>());
    i.origin = std::move(origin);
    i.factory = [] { return std::unique_ptr<AnyStep>(std::make_unique<PipelineModel<P>>()); };
    detail::set_product_io<typename Pipe::input, typename Pipe::output>(i);
    if constexpr (Pipe::names_its_product)
        i.product_suffix = [](const AnyValue& v) { return Pipe::product_suffix(*v.get<typename Pipe::output>()); };
    return i;
}

}  // namespace orrery
