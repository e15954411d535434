// hello_pipeline: one pipeline, three ways.
//
//   "The cat. The hat."  --tokenize-->  [The, cat, The, hat]
//                        --lowercase--> [the, cat, the, hat]
//                        --count_words--> {cat: 1, hat: 1, the: 2}
//
// 1. static:   orrery::pipeline<"hello">(Tokenize{}, Lowercase{}, CountWords{})  (inlined, type-checked)
// 2. registry: the registered HelloPipeline looked up by name
// 3. dynamic:  built at run time from step names

#include "hello_steps.hpp"

#include <iostream>

int main(int argc, char** argv) {
    const std::string text = argc > 1 ? argv[1] : "The cat. The hat. The cat sat!";
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());

    auto pipeline = orrery::pipeline<"hello">(hello::Tokenize{}, hello::Lowercase{}, hello::CountWords{});
    const hello::WordCounts by_static = pipeline.run(text, ctx);

    auto registered = orrery::Registry::instance().create("hello");
    const auto by_registry = registered->run(orrery::AnyValue(text), ctx).take<hello::WordCounts>();

    auto dynamic = orrery::DynamicPipeline::from_names({"tokenize", "lowercase", "count_words"});
    const auto by_dynamic = dynamic.run_as<hello::WordCounts>(text, ctx);

    for (const auto& [word, n] : by_static.counts) std::cout << word << ": " << n << "\n";
    const bool same = by_static == by_registry && by_static == by_dynamic;
    std::cout << (same ? "static, registry and dynamic pipelines agree\n" : "MISMATCH between pipelines\n");
    return same ? 0 : 1;
}
