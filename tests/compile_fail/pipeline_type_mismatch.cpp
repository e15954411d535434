// A pipeline whose step output does not fit the next step's input must not
// compile, with ONE diagnostic naming both steps and both types.
// EXPECT: pipeline type mismatch
// EXPECT: pipeline_link<hello::CountWords, hello::Lowercase, hello::WordCounts, hello::Tokens>
// ERRORS: 1
#include "hello_steps.hpp"

int main() {
    orrery::Context ctx;
    auto p = orrery::pipeline<"bad">(hello::Tokenize{}, hello::CountWords{}, hello::Lowercase{});
    (void)p.run("some text", ctx);
}
