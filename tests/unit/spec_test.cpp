// --inject specs: the rules they give, their messages, and the round trip through to_spec.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "inject/scenario.hpp"

namespace inject {
namespace {

constexpr std::uint64_t kMax = When::kNoLast;

std::string error_of(std::string_view spec) {
    try {
        parse_spec(spec);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

// The rule without its origin, which names where it was written and so always differs.
Rule without_origin(Rule rule) {
    rule.origin.clear();
    return rule;
}

void expect_same_rule(const Rule& a, const Rule& b) {
    EXPECT_EQ(a.syscalls, b.syscalls);
    EXPECT_EQ(a.effect, b.effect);
    EXPECT_EQ(a.when, b.when);
    EXPECT_EQ(a.per, b.per);
    EXPECT_EQ(a.probability, b.probability);
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.fd, b.fd);
    EXPECT_EQ(a.process, b.process);
}

TEST(Spec, Simple) {
    const Rule r = parse_spec("write:error=ENOSPC");
    EXPECT_EQ(r.syscalls.elements, (std::vector<std::string>{"write"}));
    EXPECT_EQ(r.effect.action, Action{FailWithErrno{28}});
    EXPECT_EQ(r.when, When{});
    EXPECT_EQ(r.per, Scope::tree);
    EXPECT_EQ(r.origin, "--inject write:error=ENOSPC");
}

TEST(Spec, EveryKey) {
    const Rule r = parse_spec("inject=write,pwrite64,write:error=5:when=2+3:per=thread");
    EXPECT_EQ(r.syscalls.elements, (std::vector<std::string>{"write", "pwrite64"}));
    EXPECT_EQ(r.effect.action, Action{FailWithErrno{5}});
    EXPECT_EQ(r.when, (When{2, kMax, 3}));
    EXPECT_EQ(r.per, Scope::thread);
    EXPECT_EQ(r.origin, "--inject inject=write,pwrite64,write:error=5:when=2+3:per=thread");

    const Rule s = parse_spec("read:when=1..4:retval=-4096:per=process");
    EXPECT_EQ(s.effect.action, Action{ReturnValue{-4096}});
    EXPECT_EQ(s.when, (When{1, 4, 1}));
    EXPECT_EQ(s.per, Scope::process);

    EXPECT_EQ(parse_spec("read:retval=0").effect.action, Action{ReturnValue{0}});
    EXPECT_EQ(parse_spec("read:retval=9223372036854775807").effect.action,
              Action{ReturnValue{9223372036854775807}});
    EXPECT_EQ(parse_spec("read:per=tree:error=EACCES").per, Scope::tree);
}

TEST(Spec, Syscalls) {
    EXPECT_EQ(error_of("wrte:error=EIO"),
              "--inject wrte:error=EIO: unknown syscall \"wrte\" (did you mean \"write\"?)");
    EXPECT_EQ(error_of("write,wrte:error=EIO"),
              "--inject write,wrte:error=EIO: unknown syscall \"wrte\" (did you mean \"write\"?)");
    EXPECT_EQ(error_of(":error=EIO"), "--inject :error=EIO: no syscall given");
    EXPECT_EQ(error_of("inject=:error=EIO"), "--inject inject=:error=EIO: no syscall given");
    EXPECT_EQ(error_of(""), "--inject : no syscall given");
    EXPECT_EQ(error_of("%fiel:error=EIO"),
              "--inject %fiel:error=EIO: unknown syscall class \"%fiel\" (did you mean "
              "\"%file\"?)");
}

// strace's set syntax, kept as written; what each element stands for is the catalogue's.
TEST(Spec, SetsInStracesSyntax) {
    EXPECT_EQ(parse_spec("write,,read,:error=EIO").syscalls,
              (SyscallNames{{"write", "read"}, false}));
    EXPECT_EQ(parse_spec("!write:error=EIO").syscalls, (SyscallNames{{"write"}, true}));
    EXPECT_EQ(parse_spec("!!write:error=EIO").syscalls, (SyscallNames{{"write"}, false}));
    EXPECT_EQ(parse_spec("!none:error=EIO").syscalls, (SyscallNames{{"none"}, true}));
    EXPECT_EQ(to_spec(parse_spec("!write,%net:error=EIO:when=2")), "!write,%net:error=EIO:when=2");
    for (const char* spec : {"all:error=EIO", "none:error=EIO", "/^wr:error=EIO",
                             "?nosuch,write@64,1@32,chdir@x32:error=EIO", "file,network:error=EIO",
                             "%%stat,%pure:error=EIO"}) {
        EXPECT_EQ(to_spec(parse_spec(spec)), spec);
    }
}

TEST(Spec, NoAction) {
    const std::string no_action =
        "fault has no action: give error, retval, short, signal, delay, poke_enter or poke_exit";
    EXPECT_EQ(error_of("write"), "--inject write: " + no_action);
    EXPECT_EQ(error_of("write:"), "--inject write:: " + no_action);
    EXPECT_EQ(error_of("inject=write:when=3"), "--inject inject=write:when=3: " + no_action);
    // strace's syscall= changes what runs instead of a failed call: it is no action of its own.
    EXPECT_EQ(error_of("write:syscall=gettid"), "--inject write:syscall=gettid: " + no_action);
}

TEST(Spec, Shape) {
    EXPECT_EQ(error_of("write:error"), "--inject write:error: expected KEY=VALUE, got \"error\"");
    // As strace: empty fields are skipped, and the last `when` wins.
    EXPECT_EQ(parse_spec("write:error=EIO:").effect.action, Action{FailWithErrno{EIO}});
    EXPECT_EQ(parse_spec("write::error=EIO").effect.action, Action{FailWithErrno{EIO}});
    EXPECT_EQ(parse_spec("write:when=3:when=4:error=EIO").when, (When{4, 4, 1}));
    EXPECT_EQ(error_of("write:error=EIO:error=EIO"),
              "--inject write:error=EIO:error=EIO: \"error\" given twice");
    EXPECT_EQ(error_of("write:error=EIO:retval=0"),
              "--inject write:error=EIO:retval=0: fault gives both error and retval: a fault "
              "takes one action");
}

// strace's -e fault=: only failures, ENOSYS unless error= says otherwise.
TEST(Spec, Fault) {
    EXPECT_EQ(parse_spec("fault=chdir").effect.action, Action{FailWithErrno{ENOSYS}});
    EXPECT_EQ(parse_spec("fault=chdir:error=EIO:when=2:per=thread").effect.action,
              Action{FailWithErrno{EIO}});
    const Rule instead = parse_spec("fault=chdir:syscall=gettid");
    EXPECT_EQ(instead.effect.instead, "gettid");
    EXPECT_EQ(to_spec(instead), "chdir:error=ENOSYS:syscall=gettid");
    EXPECT_EQ(error_of("fault=chdir:short=1"),
              "--inject fault=chdir:short=1: \"short\" is not a key of -e fault=, which only "
              "fails calls (error=, ENOSYS by default): give it with -e inject=");
}

TEST(Spec, Keys) {
    EXPECT_EQ(error_of("write:eror=EIO"),
              "--inject write:eror=EIO: unknown key \"eror\" (did you mean \"error\"?)");
    EXPECT_EQ(error_of("write:error=EIO:seed=1"),
              "--inject write:error=EIO:seed=1: unknown key \"seed\"");
    EXPECT_EQ(error_of("write:description=x:error=EIO"),
              "--inject write:description=x:error=EIO: unknown key \"description\"");
}

TEST(Spec, Short) {
    const Rule r = parse_spec("write,pwrite64:short=10:when=2:per=thread");
    EXPECT_EQ(r.effect.action, Action{ShortenTo{10}});
    EXPECT_EQ(to_spec(r), "write,pwrite64:short=10:when=2:per=thread");
    expect_same_rule(parse_spec(to_spec(r)), r);
    EXPECT_EQ(parse_spec("read:short=0").effect.action, Action{ShortenTo{0}});
    EXPECT_EQ(to_spec(parse_spec("read:short=9223372036854775807")),
              "read:short=9223372036854775807");
    // A crash right after a short write: the signal follows the call.
    EXPECT_EQ(to_spec(parse_spec("write:signal=kill:short=10:probability=50%")),
              "write:short=10:signal=SIGKILL:probability=0.5");

    EXPECT_EQ(error_of("write:short=abc"),
              "--inject write:short=abc: invalid short \"abc\": expected a byte count, a whole "
              "number 0 or more");
    EXPECT_EQ(error_of("write:short="),
              "--inject write:short=: invalid short \"\": expected a byte count, a whole number 0 "
              "or more");
    EXPECT_EQ(error_of("write:short=-1"),
              "--inject write:short=-1: short -1 is out of range: give a byte count "
              "0..9223372036854775807");
    EXPECT_EQ(error_of("write:short=9223372036854775808"),
              "--inject write:short=9223372036854775808: short 9223372036854775808 is out of "
              "range: give a byte count 0..9223372036854775807");
    EXPECT_EQ(error_of("write:short=10:retval=3"),
              "--inject write:short=10:retval=3: fault gives both short and retval: a fault "
              "takes one action");
    EXPECT_EQ(error_of("write:shor=10"),
              "--inject write:shor=10: unknown key \"shor\" (did you mean \"short\"?)");
    // A cut call runs at once: holding it too is refused rather than half done.
    EXPECT_EQ(error_of("write:short=10:delay=1s"),
              "--inject write:short=10:delay=1s: short cannot be combined with a delay");
    EXPECT_EQ(error_of("write:delay_exit=5:short=10"),
              "--inject write:delay_exit=5:short=10: short cannot be combined with a delay");
    EXPECT_EQ(error_of("write,fsync:short=10"),
              "--inject write,fsync:short=10: short applies to calls with a byte count; "
              "\"fsync\" has none");
    EXPECT_EQ(error_of("%process:short=1"),
              "--inject %process:short=1: short applies to calls with a byte count; no call of "
              "\"%process\" has one");
}

TEST(Spec, Signal) {
    const Rule alone = parse_spec("write:signal=SIGKILL:when=3");
    EXPECT_EQ(alone.effect.signal, SIGKILL);
    // Alone, as under strace, the signal goes with the call, which runs.
    EXPECT_EQ(alone.effect.action, Action{RunCall{}});
    EXPECT_EQ(to_spec(alone), "write:signal=SIGKILL:when=3");
    const Rule with_error = parse_spec("write:error=EIO:signal=usr1");
    EXPECT_EQ(with_error.effect.signal, SIGUSR1);
    EXPECT_EQ(with_error.effect.action, Action{FailWithErrno{EIO}});
    EXPECT_EQ(to_spec(with_error), "write:error=EIO:signal=SIGUSR1");
    EXPECT_EQ(to_spec(parse_spec("write:signal=9:retval=0")), "write:retval=0:signal=SIGKILL");
    EXPECT_EQ(to_spec(parse_spec("write:error=EINTR:signal=term")),
              "write:error=EINTR:signal=SIGTERM");
    for (const char* spec :
         {"write:signal=SIGKILL", "write:error=EIO:signal=SIGUSR1", "write:retval=0:signal=SIGRT_2",
          "write:signal=SIGRTMIN", "write:signal=SIGIO"}) {
        EXPECT_EQ(to_spec(parse_spec(spec)), spec);
        EXPECT_EQ(to_spec(parse_spec(to_spec(parse_spec(spec)))), spec);
    }
    // The kernel's numbering of the real-time signals, as strace's: SIGRTMIN is 32.
    EXPECT_EQ(parse_spec("write:signal=SIGRTMIN").effect.signal, 32);
    EXPECT_EQ(parse_spec("write:signal=SIGRT_2").effect.signal, 34);
    EXPECT_EQ(parse_spec("write:signal=sigrtmin+2").effect.signal, 34);
    EXPECT_EQ(parse_spec("write:signal=SIGRTMAX-1").effect.signal, 63);
    EXPECT_EQ(parse_spec("write:signal=SIGPOLL").effect.signal, SIGIO);
    EXPECT_EQ(to_spec(parse_spec("write:signal=32")), "write:signal=SIGRTMIN");
    EXPECT_EQ(error_of("write:signal=SIGKIL"),
              "--inject write:signal=SIGKIL: unknown signal \"SIGKIL\" (did you mean "
              "\"SIGKILL\"?)");
    EXPECT_EQ(error_of("write:signal=65"),
              "--inject write:signal=65: signal 65 is out of range 1..64");
    EXPECT_EQ(error_of("write:signal=none"),
              "--inject write:signal=none: signal \"none\" sends nothing: give a signal such as "
              "SIGKILL, or leave the key out");
    EXPECT_EQ(error_of("write:error=EIO:retval=0:signal=KILL"),
              "--inject write:error=EIO:retval=0:signal=KILL: fault gives both error and retval: "
              "a fault takes one action");
}

TEST(Spec, Filters) {
    const Rule r = parse_spec("write,pwrite64:error=ENOSPC:path=/tmp/**/*.log:fd=3:process=app*");
    EXPECT_EQ(r.path, "/tmp/**/*.log");
    EXPECT_EQ(r.fd, 3);
    EXPECT_EQ(r.process, "app*");
    EXPECT_EQ(to_spec(r), "write,pwrite64:error=ENOSPC:path=/tmp/**/*.log:fd=3:process=app*");
    const Rule plain = parse_spec("write:error=EIO");
    EXPECT_FALSE(plain.path || plain.fd || plain.process);
    EXPECT_FALSE(plain.has_filters());
    // Filters come last, after the keys strace knows, whatever order they were written in.
    EXPECT_EQ(to_spec(parse_spec("write:process=cp:fd=0:when=2:path=/x:error=EIO")),
              "write:error=EIO:when=2:path=/x:fd=0:process=cp");
}

TEST(Spec, AColonInAGlobIsWrittenEscaped) {
    const Rule r = parse_spec("write:error=EIO:path=/tmp/a\\:b/*:when=2");
    EXPECT_EQ(r.path, "/tmp/a:b/*");
    EXPECT_EQ(r.when, (When{2, 2, 1}));
    EXPECT_EQ(to_spec(r), "write:error=EIO:when=2:path=/tmp/a\\:b/*");
    // Every other backslash is the glob's own, even one just before an escaped colon.
    for (const char* glob :
         {"/tmp/a:b", "/tmp/\\*", "/tmp/x\\:y", "/tmp/::", "/tmp/x\\\\:y", "/tmp/x\\\\"}) {
        Rule rule = parse_spec("write:error=EIO");
        rule.path = glob;
        EXPECT_EQ(parse_spec(to_spec(rule)).path, glob) << to_spec(rule);
    }
}

// A glob that ends in a backslash (escaped: "\\\\") is written with its run doubled, so that
// the ':' after it still ends it: the fuzzer found "path=/ch\\\\" read back with the caller
// that followed it inside the path.
TEST(Spec, AGlobEndingInABackslashIsFollowedByTheNextKey) {
    const Rule r = parse_spec("write:error=EIO:caller=main:path=/ch\\\\");
    EXPECT_EQ(r.path, "/ch\\\\");
    EXPECT_EQ(to_spec(r), "write:error=EIO:path=/ch\\\\\\\\:caller=main");
    EXPECT_EQ(parse_spec(to_spec(r)).path, r.path);
    EXPECT_EQ(parse_spec(to_spec(r)).caller, "main");
    for (const char* glob : {"odd\\:name", "f.c\\\\", "ns::f\\\\::g", "f.c\\\\\\:3"}) {
        Rule rule = parse_spec("write:error=EIO");
        rule.caller = glob;
        rule.path = "/x";
        const Rule again = parse_spec(to_spec(rule));
        EXPECT_EQ(again.caller, glob) << to_spec(rule);
        EXPECT_EQ(again.path, "/x") << to_spec(rule);
    }
}

TEST(Spec, ACallersScopesArePartOfItAndALoneColonEndsIt) {
    const Rule r = parse_spec("write:error=EIO:caller=store::flush:when=2");
    EXPECT_EQ(r.caller, "store::flush");
    EXPECT_EQ(r.when, (When{2, 2, 1}));
    EXPECT_TRUE(r.has_filters());
    EXPECT_EQ(to_spec(r), "write:error=EIO:when=2:caller=store::flush");
    const Rule line = parse_spec("write:error=EIO:caller=notes.cpp\\:42:when=3");
    EXPECT_EQ(line.caller, "notes.cpp:42");
    EXPECT_EQ(to_spec(line), "write:error=EIO:when=3:caller=notes.cpp\\:42");
    for (const char* glob : {"ns::Store<int>::flush", "a.c:7", "libfoo.so+0x1a2b", "*::x"}) {
        Rule rule = parse_spec("write:error=EIO");
        rule.caller = glob;
        EXPECT_EQ(parse_spec(to_spec(rule)).caller, glob) << to_spec(rule);
    }
    EXPECT_EQ(parse_scenario("[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\ncaller = "
                             "\"notes.cpp:42\"\n",
                             "s.toml")
                  .rules.at(0)
                  .caller,
              "notes.cpp:42");
}

TEST(Spec, FilterErrors) {
    EXPECT_EQ(error_of("write:error=EIO:path="),
              "--inject write:error=EIO:path=: path is empty: give a glob such as \"/tmp/out/*\"");
    EXPECT_EQ(error_of("write:error=EIO:path=out.log"),
              "--inject write:error=EIO:path=out.log: path \"out.log\" is relative, but calls' "
              "paths are matched made absolute (did you mean \"**/out.log\"?)");
    EXPECT_EQ(error_of("write:error=EIO:fd=-1"),
              "--inject write:error=EIO:fd=-1: fd -1 is negative: give a descriptor number 0 or "
              "more");
    EXPECT_EQ(error_of("write:error=EIO:fd=x"),
              "--inject write:error=EIO:fd=x: invalid fd \"x\": expected a descriptor number "
              "such as 3");
    EXPECT_EQ(error_of("write:error=EIO:fd=3.0"),
              "--inject write:error=EIO:fd=3.0: invalid fd \"3.0\": expected a descriptor "
              "number such as 3");
    EXPECT_EQ(error_of("write:error=EIO:fd=4294967296"),
              "--inject write:error=EIO:fd=4294967296: fd 4294967296 is too large for a file "
              "descriptor");
    EXPECT_EQ(error_of("write:error=EIO:process=/bin/cp"),
              "--inject write:error=EIO:process=/bin/cp: process \"/bin/cp\" has a '/', but it "
              "is matched against the program's name (did you mean \"cp\"?)");
    EXPECT_EQ(error_of("write:error=EIO:process="),
              "--inject write:error=EIO:process=: process is empty: give a program's name or a "
              "glob such as \"worker*\"");
    EXPECT_EQ(error_of("getpid:error=EIO:path=/tmp/*"),
              "--inject getpid:error=EIO:path=/tmp/*: \"path\" never matches: getpid takes no "
              "path or file descriptor");
    EXPECT_EQ(error_of("getpid,getuid:error=EIO:fd=3"),
              "--inject getpid,getuid:error=EIO:fd=3: \"fd\" never matches: getpid, getuid take "
              "no file descriptor (a dirfd is not one)");
    EXPECT_EQ(error_of("openat:error=EIO:fd=3"),
              "--inject openat:error=EIO:fd=3: \"fd\" never matches: openat takes no file "
              "descriptor (a dirfd is not one)");
    // One call of the list that can pass is enough; the others' calls just never do.
    EXPECT_EQ(error_of("getpid,write:error=EIO:fd=3:path=/x"), "no error");
    EXPECT_EQ(error_of("openat,unlink,fsync,mmap:error=EIO:path=/x"), "no error");
    EXPECT_EQ(error_of("%desc:error=EIO:fd=3"), "no error");
    EXPECT_EQ(error_of("getpid:error=EIO:process=app"), "no error");
    EXPECT_EQ(error_of("write:error=EIO:fd=1:fd=2"),
              "--inject write:error=EIO:fd=1:fd=2: \"fd\" given twice");
}

TEST(Spec, Delay) {
    using std::chrono::milliseconds;
    const Rule alone = parse_spec("write:delay=50ms");
    EXPECT_EQ(alone.effect.delay, milliseconds(50));
    EXPECT_FALSE(alone.effect.delay_exit.has_value());
    EXPECT_EQ(alone.effect.action, Action{RunCall{}});  // delayed, then really run
    EXPECT_FALSE(alone.effect.signal.has_value());
    EXPECT_EQ(to_spec(alone), "write:delay=50ms");

    const Rule with_error = parse_spec("write:delay=1s:error=EIO:when=2");
    EXPECT_EQ(with_error.effect.action, Action{FailWithErrno{EIO}});
    EXPECT_EQ(with_error.effect.delay, std::chrono::seconds(1));
    EXPECT_EQ(to_spec(with_error), "write:error=EIO:delay=1s:when=2");

    // A signal alone lets the call run; the delay only comes first.
    const Rule with_signal = parse_spec("write:signal=SIGKILL:delay=2m");
    EXPECT_EQ(with_signal.effect.action, Action{RunCall{}});
    EXPECT_EQ(to_spec(with_signal), "write:signal=SIGKILL:delay=120s");

    const Rule after = parse_spec("write:delay_exit=250us");
    EXPECT_EQ(after.effect.delay_exit, std::chrono::microseconds(250));
    EXPECT_FALSE(after.effect.delay.has_value());
    EXPECT_EQ(after.effect.action, Action{RunCall{}});

    for (const char* spec :
         {"write:delay=50ms", "write:delay_exit=250us", "write:error=EIO:delay=1s:delay_exit=2s",
          "write:retval=0:delay=0ms", "write:signal=SIGUSR1:delay_exit=3s",
          "write,read:delay=7ms:when=3..9+2:probability=0.5:per=thread"}) {
        EXPECT_EQ(to_spec(parse_spec(spec)), spec);
        expect_same_rule(parse_spec(to_spec(parse_spec(spec))), parse_spec(spec));
    }
}

TEST(Spec, DelayTakesStracesNamesAndFormat) {
    using std::chrono::microseconds;
    using std::chrono::milliseconds;
    // strace's delay_enter is delay; a bare number is microseconds there, and so here.
    EXPECT_EQ(parse_spec("write:delay_enter=300000").effect.delay, milliseconds(300));
    EXPECT_EQ(parse_spec("inject=write:delay_enter=1.5ms").effect.delay, microseconds(1'500));
    EXPECT_EQ(parse_spec("write:delay_enter=2s:error=ENOSPC").effect.delay,
              std::chrono::seconds(2));
    EXPECT_EQ(parse_spec("write:delay_exit=70").effect.delay_exit, microseconds(70));
    EXPECT_EQ(parse_spec("write:delay_exit=1500ns").effect.delay_exit, microseconds(2));
    // Written back in inject's own words, which strace reads too.
    EXPECT_EQ(to_spec(parse_spec("write:delay_enter=300000")), "write:delay=300ms");
    EXPECT_EQ(to_spec(parse_spec("write:delay_enter=1e6:delay_exit=0.5s")),
              "write:delay=1s:delay_exit=500ms");
}

TEST(Spec, DelayMistakes) {
    EXPECT_EQ(error_of("write:delay=50"),
              "--inject write:delay=50: invalid delay \"50\": expected a whole number and a unit, "
              "us, ms, s or m (such as \"50ms\")");
    EXPECT_EQ(error_of("write:delay=5sec"),
              "--inject write:delay=5sec: invalid delay \"5sec\": unknown unit \"sec\" (did you "
              "mean \"5s\"?)");
    EXPECT_EQ(error_of("write:delay_enter=5min"),
              "--inject write:delay_enter=5min: invalid delay_enter \"5min\": expected a number "
              "and an optional unit, s, ms, us or ns (microseconds without one, as strace reads "
              "it)");
    EXPECT_EQ(error_of("write:delay_exit=-1"),
              "--inject write:delay_exit=-1: invalid delay_exit \"-1\": expected a number and an "
              "optional unit, s, ms, us or ns (microseconds without one, as strace reads it)");
    EXPECT_EQ(error_of("write:delay=1s:delay_enter=2s"),
              "--inject write:delay=1s:delay_enter=2s: \"delay\" and \"delay_enter\" are the "
              "same wait, before the call: give one of them");
    EXPECT_EQ(error_of("write:delay=1s:delay=2s"),
              "--inject write:delay=1s:delay=2s: \"delay\" given twice");
    EXPECT_EQ(error_of("write:delay=1s:error=EIO:retval=0"),
              "--inject write:delay=1s:error=EIO:retval=0: fault gives both error and retval: a "
              "fault takes one action");
}

TEST(Spec, Probability) {
    EXPECT_EQ(parse_spec("write:error=EIO:probability=0.05").probability, 0.05);
    EXPECT_EQ(parse_spec("write:error=EIO:probability=5%").probability, 0.05);
    EXPECT_EQ(parse_spec("write:error=EIO:probability=100%").probability, 1.0);
    EXPECT_EQ(parse_spec("write:error=EIO:probability=1").probability, 1.0);
    EXPECT_EQ(parse_spec("write:error=EIO:probability=.5").probability, 0.5);
    EXPECT_EQ(parse_spec("write:error=EIO").probability, std::nullopt);
    EXPECT_EQ(to_spec(parse_spec("write:probability=5%:when=2+:error=EIO")),
              "write:error=EIO:when=2+:probability=0.05");
    EXPECT_EQ(to_spec(parse_spec("write:error=EIO:per=thread:probability=0.25")),
              "write:error=EIO:probability=0.25:per=thread");

    EXPECT_EQ(error_of("write:error=EIO:probability=0"),
              "--inject write:error=EIO:probability=0: a rule with probability 0 never fires: "
              "give a probability in (0, 1]");
    EXPECT_EQ(error_of("write:error=EIO:probability=0%"),
              "--inject write:error=EIO:probability=0%: a rule with probability 0 never fires: "
              "give a probability in (0, 1]");
    EXPECT_EQ(error_of("write:error=EIO:probability=-0.5"),
              "--inject write:error=EIO:probability=-0.5: invalid probability \"-0.5\": "
              "expected a number such as 0.05 or 5%");
    EXPECT_EQ(error_of("write:error=EIO:probability=1.5"),
              "--inject write:error=EIO:probability=1.5: probability 1.5 is out of range: give "
              "0 < P <= 1");
    EXPECT_EQ(error_of("write:error=EIO:probability=150%"),
              "--inject write:error=EIO:probability=150%: probability 150% is out of range: give "
              "0% < P <= 100%");
    for (const char* text : {"abc", "5%%", "", "%", ".", "1.2.3", "1e-3", "0x1"}) {
        const std::string spec = "write:error=EIO:probability=" + std::string(text);
        EXPECT_EQ(error_of(spec), "--inject " + spec + ": invalid probability \"" +
                                      std::string(text) +
                                      "\": expected a number such as 0.05 or 5%");
    }
    EXPECT_EQ(error_of("write:error=EIO:probability=0.5:probability=0.5"),
              "--inject write:error=EIO:probability=0.5:probability=0.5: \"probability\" given "
              "twice");
}

TEST(Spec, Values) {
    EXPECT_EQ(error_of("write:error=ENOSP"),
              "--inject write:error=ENOSP: unknown errno \"ENOSP\" (did you mean \"ENOSPC\"?)");
    EXPECT_EQ(error_of("write:error=5000"),
              "--inject write:error=5000: errno 5000 is out of range 1..4095");
    EXPECT_EQ(error_of("write:error=0"), "--inject write:error=0: errno 0 is out of range 1..4095");
    EXPECT_EQ(error_of("write:error=99999999999999999999999"),
              "--inject write:error=99999999999999999999999: errno 99999999999999999999999 is "
              "out of range 1..4095");
    // errno names in any case, as strace reads them; numbers as its strtol does.
    EXPECT_EQ(parse_spec("write:error=enospc").effect.action, Action{FailWithErrno{ENOSPC}});
    EXPECT_EQ(parse_spec("write:error=+28").effect.action, Action{FailWithErrno{ENOSPC}});
    EXPECT_EQ(parse_spec("write:error=ERESTARTSYS").effect.action, Action{FailWithErrno{512}});
    // retval= as strtoull reads it: 64 bits, hex, octal; -4095..-1 is an error return.
    EXPECT_EQ(parse_spec("write:retval=0x2a").effect.action, Action{ReturnValue{42}});
    EXPECT_EQ(parse_spec("write:retval=052").effect.action, Action{ReturnValue{42}});
    EXPECT_EQ(parse_spec("write:retval=+7").effect.action, Action{ReturnValue{7}});
    EXPECT_EQ(parse_spec("write:retval=-5").effect.action, Action{ReturnValue{-5}});
    EXPECT_EQ(parse_spec("write:retval=18446744073709551615").effect.action,
              Action{ReturnValue{-1}});
    EXPECT_EQ(to_spec(parse_spec("geteuid:retval=18446744073709547520")), "geteuid:retval=-4096");
    const std::string expected =
        ": expected a number (decimal, 0x hex or 0 octal) up to "
        "18446744073709551615";
    EXPECT_EQ(error_of("write:retval=abc"),
              "--inject write:retval=abc: invalid retval \"abc\"" + expected);
    EXPECT_EQ(error_of("write:retval="), "--inject write:retval=: invalid retval \"\"" + expected);
    EXPECT_EQ(error_of("write:retval=0x"),
              "--inject write:retval=0x: invalid retval \"0x\"" + expected);
    EXPECT_EQ(error_of("write:retval=99999999999999999999"),
              "--inject write:retval=99999999999999999999: retval 99999999999999999999 is out of "
              "range: at most 18446744073709551615 (2^64-1)");
    EXPECT_EQ(error_of("write:error=EIO:when=0"),
              "--inject write:error=EIO:when=0: invalid when \"0\": calls are numbered from 1");
    EXPECT_EQ(error_of("write:error=EIO:when="), "--inject write:error=EIO:when=: when is empty");
    EXPECT_EQ(error_of("write:error=EIO:per=proces"),
              "--inject write:error=EIO:per=proces: unknown per \"proces\" (did you mean "
              "\"process\"?)");
}

TEST(RuleText, ActionToString) {
    EXPECT_EQ(to_string(Action{FailWithErrno{28}}), "error=ENOSPC");
    EXPECT_EQ(to_string(Action{FailWithErrno{4000}}), "error=4000");
    EXPECT_EQ(to_string(Action{ReturnValue{0}}), "retval=0");
    EXPECT_EQ(to_string(Action{ReturnValue{-4096}}), "retval=-4096");
    EXPECT_EQ(to_string(Action{RunCall{}}), "");
}

TEST(RuleText, ScopeName) {
    EXPECT_EQ(scope_name(Scope::tree), "tree");
    EXPECT_EQ(scope_name(Scope::process), "process");
    EXPECT_EQ(scope_name(Scope::thread), "thread");
}

TEST(RuleText, ToSpecLeavesDefaultsOut) {
    Rule r;
    r.syscalls.elements = {"write"};
    r.effect.action = FailWithErrno{5};
    EXPECT_EQ(to_spec(r), "write:error=EIO");

    r.syscalls.elements = {"write", "pwrite64"};
    r.effect.action = FailWithErrno{28};
    r.when = When{3, 3, 1};
    r.per = Scope::process;
    EXPECT_EQ(to_spec(r), "write,pwrite64:error=ENOSPC:when=3:per=process");

    r.effect.action = ReturnValue{0};
    r.when = When{};
    r.per = Scope::thread;
    EXPECT_EQ(to_spec(r), "write,pwrite64:retval=0:per=thread");
}

TEST(RuleText, ToSpecParsesBack) {
    std::vector<Rule> rules;
    for (const Action& action :
         {Action{FailWithErrno{28}}, Action{FailWithErrno{4000}}, Action{FailWithErrno{1}},
          Action{ReturnValue{0}}, Action{ReturnValue{-4096}}, Action{ReturnValue{1}}}) {
        for (const When& when : {When{}, When{3, 3, 1}, When{2, kMax, 1}, When{2, kMax, 3},
                                 When{1, 4, 1}, When{1, 4, 2}, When{5, 5, 7}}) {
            for (Scope per : {Scope::tree, Scope::process, Scope::thread}) {
                for (std::optional<double> probability :
                     {std::optional<double>{}, std::optional<double>{0.05},
                      std::optional<double>{1.0}, std::optional<double>{1.0 / 3},
                      std::optional<double>{1e-9}}) {
                    rules.push_back(Rule{{{"write", "newfstatat", "socketcall"}},
                                         Effect{action},
                                         when,
                                         per,
                                         probability,
                                         ""});
                }
            }
        }
    }
    for (const Rule& rule : rules) {
        const std::string spec = to_spec(rule);
        const Rule back = parse_spec(spec);
        expect_same_rule(back, rule);
        EXPECT_EQ(back.origin, "--inject " + spec);
        EXPECT_EQ(to_spec(back), spec);
    }
}

TEST(RuleText, ScenarioRulesParseBackFromTheirSpec) {
    const Scenario s = parse_scenario(R"(
[[fault]]
syscall = ["write", "pwrite64"]
error = "ENOSPC"
when = 3

[[fault]]
syscall = "read"
retval = 0
when = "2..8+3"
per = "thread"
)",
                                      "s.toml");
    ASSERT_EQ(s.rules.size(), 2u);
    EXPECT_EQ(to_spec(s.rules[0]), "write,pwrite64:error=ENOSPC:when=3");
    EXPECT_EQ(to_spec(s.rules[1]), "read:retval=0:when=2..8+3:per=thread");
    for (const Rule& rule : s.rules) {
        expect_same_rule(parse_spec(to_spec(rule)), rule);
    }
}

// A fault written either way is the same rule, and the same mistake gets the same words.
TEST(Spec, AgreesWithToml) {
    expect_same_rule(
        without_origin(parse_spec("write,read:error=EIO:when=2+:per=process:path=/a:fd=2")),
        without_origin(parse_scenario("[[fault]]\nsyscall = [\"write\", \"read\"]\nerror = "
                                      "\"EIO\"\nwhen = \"2+\"\nper = \"process\"\npath = "
                                      "\"/a\"\nfd = 2\n",
                                      "s")
                           .rules.at(0)));

    const std::vector<std::pair<std::string, std::string>> same_mistake{
        {"wrte:error=EIO", "syscall = \"wrte\"\nerror = \"EIO\""},
        {"write:error=ENOSP", "syscall = \"write\"\nerror = \"ENOSP\""},
        {"write:error=EIO:poke_enter=@arg9=00",
         "syscall = \"write\"\nerror = \"EIO\"\npoke_enter = \"@arg9=00\""},
        {"write:error=EIO:run_instead=chdir",
         "syscall = \"write\"\nerror = \"EIO\"\nrun_instead = \"chdir\""},
        {"!all:short=1", "syscall = \"!all\"\nshort = 1"},
        {"write:error=EIO:when=5..3", "syscall = \"write\"\nerror = \"EIO\"\nwhen = \"5..3\""},
        {"write:error=EIO:per=proces", "syscall = \"write\"\nerror = \"EIO\"\nper = \"proces\""},
        {"write:error=EIO:eror=1", "syscall = \"write\"\nerror = \"EIO\"\neror = 1"},
        {"write:error=EIO:short=1", "syscall = \"write\"\nerror = \"EIO\"\nshort = 1"},
        {"write:error=EIO:path=x", "syscall = \"write\"\nerror = \"EIO\"\npath = \"x\""},
        {"write:error=EIO:fd=-1", "syscall = \"write\"\nerror = \"EIO\"\nfd = -1"},
        {"write:error=EIO:retval=0", "syscall = \"write\"\nerror = \"EIO\"\nretval = 0"},
        {"write", "syscall = \"write\""},
        {"write:delay=5sec", "syscall = \"write\"\ndelay = \"5sec\""},
        {"write:delay_enter=-1", "syscall = \"write\"\ndelay_enter = -1"},
        {"write:delay_exit=1x", "syscall = \"write\"\ndelay_exit = \"1x\""},
    };
    for (const auto& [spec, fault] : same_mistake) {
        std::string from_spec = error_of(spec);
        std::string from_toml;
        try {
            parse_scenario("[[fault]]\n" + fault + "\n", "s.toml");
        } catch (const ScenarioError& e) {
            from_toml = e.what();
        }
        ASSERT_TRUE(from_spec.starts_with("--inject " + spec + ": ")) << from_spec;
        ASSERT_TRUE(from_toml.starts_with("s.toml:")) << from_toml;
        // Strip the locations: "--inject SPEC: " and "s.toml:L:C: ".
        from_spec = from_spec.substr(("--inject " + spec + ": ").size());
        from_toml = from_toml.substr(from_toml.find(": ") + 2);
        EXPECT_EQ(from_spec, from_toml) << spec;
    }
}

}  // namespace
}  // namespace inject
