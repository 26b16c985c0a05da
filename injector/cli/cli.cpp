#include "cli/cli.hpp"

#include <map>
#include <ostream>

#include "cli/plan.hpp"
#include "cli/runner.hpp"
#include "inject/exit_status.hpp"
#include "inject/names.hpp"
#include "report/check.hpp"
#include "syscalls/catalogue.hpp"

namespace inject::cli {

namespace {

// "x86_64 0 read %desc short": each syscall with the classes it belongs to, and "short" last
// when it has a byte count that short= can cut (for completion, which must not offer short=
// where it is a mistake).
void list_syscalls(std::ostream& out) {
    for (Abi abi : kAllAbis) {
        std::map<std::string, std::string> classes_of;
        for (std::string_view class_name : catalogue::class_names()) {
            const auto members = catalogue::class_members(class_name, abi);
            for (const std::string& name : members.value_or(std::vector<std::string>{})) {
                classes_of[name] += " %" + std::string(class_name);
            }
        }
        for (const SyscallEntry& entry : all_syscalls(abi)) {
            out << abi_name(abi) << ' ' << entry.number << ' ' << entry.name
                << classes_of[entry.name]
                << (catalogue::has_byte_count(abi, entry.name) ? " short" : "") << '\n';
        }
    }
}

void list_errnos(std::ostream& out) {
    for (const ErrnoEntry& entry : all_errnos()) {
        out << entry.name << ' ' << entry.number << ' ' << entry.description << '\n';
    }
}

// What --check prints besides the rules: the seed, and what would be run or attached to.
void write_check(std::ostream& out, const Plan& plan) {
    report::write_rules_in_words(out, plan.scenarios, plan.rules);
    if (draws_from_seed(plan.rules)) {
        const SeedChoice& seed = plan.seed;
        out << "seed " << seed.value;
        switch (seed.from) {
            case SeedChoice::From::option:
                out << " (from --seed)\n";
                break;
            case SeedChoice::From::scenario:
                out << " (from " << seed.scenario << ")\n";
                break;
            case SeedChoice::From::drawn:
            case SeedChoice::From::none:
                out << " (drawn: a run draws its own unless --seed N is given)\n";
                break;
        }
    }
    const Options& options = plan.options;
    if (!options.command.empty()) {
        out << "program:";
        for (const std::string& word : options.command) {
            out << ' ' << word;
        }
        out << " (not started: --check)\n";
    }
    if (!options.attach.empty()) {
        out << "attach:";
        for (const pid_t pid : options.attach) {
            out << ' ' << pid;
        }
        out << " (not attached: --check)\n";
    }
}

int dispatch(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
    const Options options = parse_command_line(arguments);
    switch (options.mode) {
        case Mode::help:
            write_help(out);
            return kExitPassed;
        case Mode::version:
            out << "inject " << INJECT_VERSION << '\n';
            return kExitPassed;
        case Mode::list_syscalls:
            list_syscalls(out);
            return kExitPassed;
        case Mode::list_errnos:
            list_errnos(out);
            return kExitPassed;
        case Mode::check:
            write_check(out, make_plan(options));
            return kExitPassed;
        case Mode::explore:
            return execute_explore(make_plan(options), err);
        case Mode::run:
        case Mode::attach:
            return execute(make_plan(options), err);
    }
    return kExitInjectFailed;
}

}  // namespace

int main(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
    // The one place where a failure becomes its line and inject's status: a mistake in a rule
    // carries its own location, every other line starts with "inject: ".
    try {
        return dispatch(arguments, out, err);
    } catch (const ScenarioError& error) {
        err << error.what() << '\n';
        return kExitInjectFailed;
    } catch (const LaunchError& error) {
        err << "inject: " << error.what() << '\n';
        return error.exit_status();
    } catch (const std::exception& error) {
        err << "inject: " << error.what() << '\n';
        return kExitInjectFailed;
    } catch (...) {
        err << "inject: unexpected failure\n";
        return kExitInjectFailed;
    }
}

}  // namespace inject::cli
