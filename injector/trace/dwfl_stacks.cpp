#include "trace/dwfl_stacks.hpp"

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "trace/dwfl_process.hpp"
#include "trace/module_image.hpp"

namespace inject::trace {

namespace {

// A module as one process maps it.
struct MappedModule {
    ModuleImage* image = nullptr;
    Dwarf_Addr bias = 0;  // its load address minus its link-time one
    std::string path;
};

// What is known of one process: its unwinder and its modules. Forgotten at exec and exit.
struct TracedProcess {
    TracedProcess(Tracer& tracer, pid_t pid) : unwinder(tracer, pid) {}
    DwflProcess unwinder;
    std::unordered_map<Dwfl_Module*, MappedModule> modules;
};

// The module's path as /proc/PID/maps shows it: libdwfl calls the vDSO "[vdso: PID]".
std::string maps_path(Dwfl_Module* module) {
    const char* name =
        dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    const std::string_view path = name != nullptr ? name : "";
    return path.starts_with("[vdso") ? "[vdso]" : std::string(path);
}

}  // namespace

struct DwflStacks::State {
    explicit State(Tracer& traced_with) : tracer(traced_with) {}

    std::error_code process(pid_t pid, TracedProcess*& found);
    MappedModule& mapped(TracedProcess& process, Dwfl_Module* module);
    void fill(TracedProcess& process, const UnwoundFrame& unwound, StackFrame& frame);

    Tracer& tracer;
    std::unordered_map<pid_t, std::unique_ptr<TracedProcess>> processes;
    // By build ID, or by path for a file without one: for the whole run, whatever maps them.
    std::map<std::string, std::unique_ptr<ModuleImage>, std::less<>> images;
    std::vector<UnwoundFrame> unwound_frames;  // reused from one stack to the next
};

DwflStacks::DwflStacks(Tracer& tracer) : state_(std::make_unique<State>(tracer)) {}

DwflStacks::~DwflStacks() = default;

std::error_code DwflStacks::stack_of(pid_t pid, pid_t tid, std::vector<StackFrame>& frames) {
    TracedProcess* process = nullptr;
    if (const auto error = state_->process(pid, process)) {
        return error;
    }
    if (const auto error = process->unwinder.unwind(tid, state_->unwound_frames)) {
        return error;
    }
    frames.resize(state_->unwound_frames.size());
    for (std::size_t index = 0; index < frames.size(); ++index) {
        state_->fill(*process, state_->unwound_frames[index], frames[index]);
    }
    return {};
}

void DwflStacks::forget_process(pid_t pid) {
    state_->processes.erase(pid);
}

std::error_code DwflStacks::State::process(pid_t pid, TracedProcess*& found) {
    if (const auto known = processes.find(pid); known != processes.end()) {
        found = known->second.get();
        return {};
    }
    auto process = std::make_unique<TracedProcess>(tracer, pid);
    if (const auto error = process->unwinder.attach()) {
        return error;
    }
    found = processes.emplace(pid, std::move(process)).first->second.get();
    return {};
}

MappedModule& DwflStacks::State::mapped(TracedProcess& process, Dwfl_Module* module) {
    if (const auto known = process.modules.find(module); known != process.modules.end()) {
        return known->second;
    }
    MappedModule mapping;
    dwfl_module_getelf(module, &mapping.bias);  // the build ID is read from the ELF
    mapping.path = maps_path(module);
    std::string build_id = build_id_of(module);
    const std::string identity = build_id.empty() ? mapping.path : build_id;
    auto image = images.find(identity);
    if (image == images.end()) {
        image =
            images
                .emplace(identity, std::make_unique<ModuleImage>(mapping.path, std::move(build_id)))
                .first;
    }
    mapping.image = image->second.get();
    return process.modules.emplace(module, std::move(mapping)).first->second;
}

void DwflStacks::State::fill(TracedProcess& process, const UnwoundFrame& unwound,
                             StackFrame& frame) {
    // A return address may be just past the end of the module of the call before it.
    Dwfl_Module* module =
        process.unwinder.module_at(unwound.activation ? unwound.pc : unwound.pc - 1);
    if (module == nullptr) {
        frame = StackFrame{};  // code in no file: its address is all there is
        frame.address = unwound.pc;
        frame.offset = unwound.pc;
        return;
    }
    const MappedModule& mapping = mapped(process, module);
    // Assigned whole, the frame keeps its strings' memory from the stack before.
    frame =
        mapping.image->frame(unwound.pc - mapping.bias, unwound.activation, module, mapping.bias);
    frame.address = unwound.pc;
    if (frame.module != mapping.path) {
        frame.module = mapping.path;  // the same file under another name
    }
}

}  // namespace inject::trace
