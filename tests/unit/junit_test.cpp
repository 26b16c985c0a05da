// JUnit XML: the testcases a run gives, and the document read back by a small strict parser
// (nesting, attributes, entities), so that what CI systems read is what was meant.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "inject/scenario.hpp"
#include "report/junit.hpp"

namespace inject {
namespace {

using std::chrono::milliseconds;

// --- a small XML reader: enough of XML 1.0 to check what junit_xml writes ---------------------

struct Element {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::vector<std::unique_ptr<Element>> children;
    std::string text;  // character data directly inside, entities decoded

    const Element& child(std::string_view child_name, std::size_t index = 0) const {
        for (const auto& c : children) {
            if (c->name == child_name && index-- == 0) {
                return *c;
            }
        }
        throw std::runtime_error("no <" + std::string(child_name) + "> in <" + name + ">");
    }
    std::size_t count(std::string_view child_name) const {
        std::size_t n = 0;
        for (const auto& c : children) {
            n += c->name == child_name ? 1 : 0;
        }
        return n;
    }
};

class XmlReader {
  public:
    explicit XmlReader(std::string_view text) : text_(text) {}

    std::unique_ptr<Element> document() {
        expect("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        skip_space();
        auto root = element();
        skip_space();
        if (at_ < text_.size()) {
            fail("content after the root element");
        }
        return root;
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error(why + " at offset " + std::to_string(at_));
    }
    void expect(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) {
            fail("expected " + std::string(word));
        }
        at_ += word.size();
    }
    void skip_space() {
        while (at_ < text_.size() &&
               std::string_view(" \t\r\n").find(text_[at_]) != std::string_view::npos) {
            ++at_;
        }
    }
    std::string name() {
        const std::size_t start = at_;
        while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) ||
                                      text_[at_] == '-' || text_[at_] == '_')) {
            ++at_;
        }
        if (start == at_) {
            fail("expected a name");
        }
        return std::string(text_.substr(start, at_ - start));
    }
    // Character data up to `end`, with its entities decoded; a raw '<' or '&' is an error.
    std::string characters(char end) {
        std::string out;
        while (at_ < text_.size() && text_[at_] != end) {
            const char c = text_[at_];
            if (c == '<' || (end == '"' && c == '\n')) {
                fail("raw special character in character data");
            }
            if (c != '&') {
                out += c;
                ++at_;
                continue;
            }
            const std::size_t semicolon = text_.find(';', at_);
            if (semicolon == std::string_view::npos) {
                fail("unterminated entity");
            }
            const std::string entity(text_.substr(at_ + 1, semicolon - at_ - 1));
            static const std::map<std::string, std::string> kNamed{
                {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
            if (auto it = kNamed.find(entity); it != kNamed.end()) {
                out += it->second;
            } else if (entity.starts_with('#')) {
                out += static_cast<char>(std::stoi(entity.substr(1)));
            } else {
                fail("unknown entity &" + entity + ";");
            }
            at_ = semicolon + 1;
        }
        return out;
    }
    std::unique_ptr<Element> element() {
        auto e = std::make_unique<Element>();
        expect("<");
        e->name = name();
        for (;;) {
            skip_space();
            if (text_.substr(at_, 2) == "/>") {
                at_ += 2;
                return e;
            }
            if (text_.substr(at_, 1) == ">") {
                ++at_;
                break;
            }
            std::string attribute = name();
            expect("=\"");
            if (e->attributes.count(attribute) != 0) {
                fail("attribute " + attribute + " twice");
            }
            e->attributes[attribute] = characters('"');
            expect("\"");
        }
        for (;;) {
            e->text += characters('<');
            if (text_.substr(at_, 2) == "</") {
                at_ += 2;
                expect(e->name);
                expect(">");
                return e;
            }
            if (at_ >= text_.size()) {
                fail("unclosed <" + e->name + ">");
            }
            e->children.push_back(element());
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

std::unique_ptr<Element> parse(const std::string& xml) {
    return XmlReader(xml).document();
}

// --- escaping ------------------------------------------------------------------------------

TEST(Junit, EscapesTheFiveSpecialCharacters) {
    EXPECT_EQ(report::xml_escape("a<b>&\"c'", false), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(report::xml_escape("tab\tline\nret\r", false), "tab\tline\nret&#13;");
    EXPECT_EQ(report::xml_escape("tab\tline\nret\r", true), "tab&#9;line&#10;ret&#13;");
}

TEST(Junit, DropsWhatXmlCannotHoldAndRepairsUtf8) {
    EXPECT_EQ(report::xml_escape(std::string("a\0b\x01\x1b[0m\x7f", 9), false), "ab[0m\x7f");
    EXPECT_EQ(report::xml_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", false),
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    // U+FFFE and U+FFFF are not XML characters.
    EXPECT_EQ(report::xml_escape("x\xef\xbf\xbey\xef\xbf\xbfz", false), "xyz");
    // Bytes that are not UTF-8: a stray continuation, a truncated sequence, an overlong '/',
    // an encoded surrogate.
    const std::string replacement = "\xef\xbf\xbd";
    EXPECT_EQ(report::xml_escape("a\x80z", false), "a" + replacement + "z");
    EXPECT_EQ(report::xml_escape("a\xe2\x82", false), "a" + replacement + replacement);
    EXPECT_EQ(report::xml_escape("\xc0\xaf", false), replacement + replacement);
    EXPECT_EQ(report::xml_escape("\xed\xa0\x80", false), replacement + replacement + replacement);
}

// --- testcases -----------------------------------------------------------------------------

Scenario file_scenario(std::string source, std::string description,
                       std::optional<Expectations> expect) {
    Scenario s;
    s.source = std::move(source);
    s.description = std::move(description);
    s.expect = std::move(expect);
    return s;
}

TEST(Junit, OneTestcasePerScenarioAndOneForTheSpecs) {
    Expectations holds;
    holds.exit_code = 1;
    Expectations fails;
    fails.exit_code = 0;
    fails.stderr_text = TextExpectation{"<expected>", false};
    const std::vector<Scenario> scenarios{
        file_scenario("scenarios/enospc.toml", "the disk \"fills\" up", holds),
        scenario_from_spec("write:error=EIO:when=2"),
        file_scenario("dir/no-expect.toml", "", std::nullopt),
        file_scenario("b.toml", "", fails),
        scenario_from_spec("fsync:error=EIO"),
    };
    RunResult result;
    result.exit_code = 1;
    result.captured_stdout = "out & about\n";
    result.captured_stderr = "err <1>\x02\n";
    const auto cases = report::junit_cases(scenarios, {"./app", "a b"}, result, std::nullopt, 1.25);
    const std::string xml = report::junit_xml(cases, 1.25);

    const auto root = parse(xml);
    EXPECT_EQ(root->name, "testsuites");
    EXPECT_EQ(root->attributes.at("tests"), "4");
    EXPECT_EQ(root->attributes.at("failures"), "3");
    EXPECT_EQ(root->attributes.at("errors"), "0");
    ASSERT_EQ(root->count("testsuite"), 1u);
    const Element& suite = root->child("testsuite");
    EXPECT_EQ(suite.attributes.at("name"), "inject");
    EXPECT_EQ(suite.attributes.at("tests"), "4");
    EXPECT_EQ(suite.attributes.at("failures"), "3");
    EXPECT_EQ(suite.attributes.at("errors"), "0");
    EXPECT_EQ(suite.attributes.at("skipped"), "0");
    EXPECT_EQ(suite.attributes.at("time"), "1.250");
    ASSERT_EQ(suite.count("testcase"), 4u);

    const Element& enospc = suite.child("testcase", 0);
    EXPECT_EQ(enospc.attributes.at("name"), "the disk \"fills\" up");
    EXPECT_EQ(enospc.attributes.at("classname"), "inject.enospc");
    EXPECT_EQ(enospc.attributes.at("time"), "1.250");
    EXPECT_EQ(enospc.count("failure"), 0u);
    EXPECT_EQ(enospc.child("system-out").text, "out & about\n");
    EXPECT_EQ(enospc.child("system-err").text, "err <1>\n");  // the control character dropped

    // Without [expect], a scenario passes when the program exits 0.
    const Element& plain = suite.child("testcase", 1);
    EXPECT_EQ(plain.attributes.at("name"), "dir/no-expect.toml");
    EXPECT_EQ(plain.attributes.at("classname"), "inject.no-expect");
    ASSERT_EQ(plain.count("failure"), 1u);
    EXPECT_EQ(plain.child("failure").attributes.at("message"), "exit_code 0, got 1");

    const Element& b = suite.child("testcase", 2);
    EXPECT_EQ(b.attributes.at("name"), "b.toml");
    ASSERT_EQ(b.count("failure"), 1u);
    EXPECT_EQ(b.child("failure").attributes.at("message"), "exit_code 0, got 1");
    EXPECT_EQ(b.child("failure").attributes.at("type"), "expectation");
    EXPECT_EQ(b.child("failure").text,
              "exit_code 0, got 1\nstderr containing \"<expected>\", got \"err <1>\\x02\\n\"\n");

    // The specs together, named after the command line they make.
    const Element& specs = suite.child("testcase", 3);
    EXPECT_EQ(specs.attributes.at("name"),
              "inject -e write:error=EIO:when=2 -e fsync:error=EIO -- ./app a b");
    EXPECT_EQ(specs.attributes.at("classname"), "inject.app");
    EXPECT_EQ(specs.count("failure"), 1u);
}

TEST(Junit, NoRulesAtAllIsOneTestcaseForTheProgram) {
    RunResult result;
    result.exit_code = 0;
    const auto cases = report::junit_cases({}, {"/bin/true"}, result, std::nullopt, 0.01);
    ASSERT_EQ(cases.size(), 1u);
    EXPECT_EQ(cases[0].name, "inject -- /bin/true");
    EXPECT_EQ(cases[0].classname, "inject.true");
    EXPECT_TRUE(cases[0].failures.empty());
    const auto root = parse(report::junit_xml(cases, 0.01));
    EXPECT_EQ(root->child("testsuite").child("testcase").count("system-out"), 0u);
    EXPECT_EQ(root->attributes.at("failures"), "0");
}

// Two scenarios with one rule each, and only the second's fired: the first fails, saying so.
TEST(Junit, EachScenarioCountsTheFaultsOfItsOwnRules) {
    Expectations one_fault;
    one_fault.injected = 1;
    Scenario never_fired = file_scenario("a.toml", "", one_fault);
    never_fired.rules.resize(1);
    Scenario fired = file_scenario("b.toml", "", one_fault);
    fired.rules.resize(1);
    RunResult result;
    result.exit_code = 0;
    result.injected = {0, 1};
    result.injection_count = 1;
    const auto cases =
        report::junit_cases({never_fired, fired}, {"prog"}, result, std::nullopt, 0.1);
    ASSERT_EQ(cases.size(), 2u);
    EXPECT_EQ(cases[0].failures,
              std::vector<std::string>{"1 fault injected, got 0 by its own rules, and 1 by the "
                                       "run's other rules (a fault that never fired proves "
                                       "nothing)"});
    EXPECT_TRUE(cases[1].failures.empty());
}

TEST(Junit, ATimeoutFailsEveryTestcase) {
    Expectations timeout;
    timeout.timeout = milliseconds(1'000);
    RunResult result;
    result.signal = 9;
    result.timed_out = true;
    const auto cases = report::junit_cases(
        {file_scenario("hang.toml", "", timeout), file_scenario("other.toml", "", std::nullopt)},
        {"hang"}, result, RunTimeout{milliseconds(1'000), "hang.toml"}, 1.0);
    ASSERT_EQ(cases.size(), 2u);
    EXPECT_EQ(cases[0].failures,
              std::vector<std::string>{"finished within 1s, but it was killed after 1s"});
    EXPECT_EQ(
        cases[1].failures,
        std::vector<std::string>{
            "the program to finish, but it was killed after 1s (another scenario's timeout)"});
}

TEST(Junit, ALaunchErrorIsAnErrorInEveryTestcase) {
    const auto cases =
        report::junit_error_cases({file_scenario("a.toml", "", std::nullopt)}, {"./missing"},
                                  "./missing: No such file or directory");
    const auto root = parse(report::junit_xml(cases, 0));
    EXPECT_EQ(root->attributes.at("errors"), "1");
    EXPECT_EQ(root->attributes.at("failures"), "0");
    const Element& error = root->child("testsuite").child("testcase").child("error");
    EXPECT_EQ(error.attributes.at("message"), "./missing: No such file or directory");
    EXPECT_EQ(error.attributes.at("type"), "launch");
}

TEST(Junit, MessagesKeepTheirNewlinesInAttributes) {
    report::JunitCase testcase;
    testcase.name = "n";
    testcase.classname = "inject.n";
    testcase.failures = {"stdout containing \"a\", got \"x\ty\"\n"};
    const auto root = parse(report::junit_xml({testcase}, 0));
    EXPECT_EQ(root->child("testsuite").child("testcase").child("failure").attributes.at("message"),
              "stdout containing \"a\", got \"x\ty\"\n");
}

TEST(Junit, CommandLineOption) {
    const cli::Options options = cli::parse_command_line({"--junit", "out.xml", "--", "ls"});
    EXPECT_EQ(options.junit, "out.xml");
    EXPECT_EQ(cli::parse_command_line({"ls"}).junit, std::nullopt);
}

}  // namespace
}  // namespace inject
