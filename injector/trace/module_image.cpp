#include "trace/module_image.hpp"

#include <cxxabi.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <gelf.h>

#include <cstdlib>
#include <memory>
#include <string_view>

namespace inject::trace {

namespace {

// A symbol as people read it: without its version ("__libc_start_main@@GLIBC_2.34"), and
// demangled when it is a C++ one. Only "_Z" names are demangled: __cxa_demangle also reads a
// C function called "f" as the type name "float".
std::string demangled(std::string_view raw) {
    const std::string name(raw.substr(0, raw.find('@')));
    if (!name.starts_with("_Z")) {
        return name;
    }
    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> text(
        abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
    return status == 0 && text ? std::string(text.get()) : name;
}

bool has_pie_flag(Elf* elf) {
    for (Elf_Scn* section = elf_nextscn(elf, nullptr); section != nullptr;
         section = elf_nextscn(elf, section)) {
        GElf_Shdr header;
        if (gelf_getshdr(section, &header) == nullptr || header.sh_type != SHT_DYNAMIC ||
            header.sh_entsize == 0) {
            continue;
        }
        Elf_Data* data = elf_getdata(section, nullptr);
        for (std::size_t index = 0; data != nullptr && index < header.sh_size / header.sh_entsize;
             ++index) {
            GElf_Dyn entry;
            if (gelf_getdyn(data, static_cast<int>(index), &entry) != nullptr &&
                entry.d_tag == DT_FLAGS_1 && (entry.d_un.d_val & DF_1_PIE) != 0) {
                return true;
            }
        }
    }
    return false;
}

// An executable that no dynamic loader starts: a static one, or a static-pie (a shared
// object by type, but flagged as an executable).
bool is_static_program(Elf* elf) {
    GElf_Ehdr header;
    std::size_t count = 0;
    if (gelf_getehdr(elf, &header) == nullptr || elf_getphdrnum(elf, &count) != 0) {
        return false;
    }
    for (std::size_t index = 0; index < count; ++index) {
        GElf_Phdr segment;
        if (gelf_getphdr(elf, static_cast<int>(index), &segment) != nullptr &&
            segment.p_type == PT_INTERP) {
            return false;
        }
    }
    return header.e_type == ET_EXEC || (header.e_type == ET_DYN && has_pie_flag(elf));
}

// Where a link-time address lies in the file: what strace -k shows, and what stays the same
// whatever the load address.
std::uint64_t file_offset(Elf* elf, GElf_Addr vaddr) {
    std::size_t count = 0;
    if (elf == nullptr || elf_getphdrnum(elf, &count) != 0) {
        return vaddr;
    }
    for (std::size_t index = 0; index < count; ++index) {
        GElf_Phdr segment;
        if (gelf_getphdr(elf, static_cast<int>(index), &segment) != nullptr &&
            segment.p_type == PT_LOAD && vaddr >= segment.p_vaddr &&
            vaddr < segment.p_vaddr + segment.p_memsz) {
            return vaddr - segment.p_vaddr + segment.p_offset;
        }
    }
    return vaddr;
}

}  // namespace

std::string build_id_of(Dwfl_Module* module) {
    const unsigned char* bits = nullptr;
    GElf_Addr where = 0;
    const int length = dwfl_module_build_id(module, &bits, &where);
    std::string text;
    for (int index = 0; index < length; ++index) {
        constexpr std::string_view kDigits = "0123456789abcdef";
        text += kDigits[bits[index] >> 4];
        text += kDigits[bits[index] & 0xf];
    }
    return text;
}

const StackFrame& ModuleImage::frame(Dwarf_Addr vaddr, bool activation, Dwfl_Module* mapped,
                                     Dwarf_Addr bias) {
    const std::uint64_t key = vaddr * 2 + (activation ? 1 : 0);
    if (const auto known = frames_.find(key); known != frames_.end()) {
        return known->second;
    }
    Dwfl_Module* file = open_file();
    StackFrame described = file != nullptr ? describe(file, 0, vaddr, activation)
                                           : describe(mapped, bias, vaddr, activation);
    return frames_.emplace(key, std::move(described)).first->second;
}

Dwfl_Module* ModuleImage::open_file() {
    if (opened_) {
        return file_module_;
    }
    opened_ = true;
    if (path_.empty() || path_.front() != '/' || path_.ends_with(" (deleted)")) {
        return nullptr;
    }
    file_dwfl_.reset(dwfl_begin(&local_debuginfo_callbacks(true)));
    if (!file_dwfl_) {
        return nullptr;
    }
    dwfl_report_begin(file_dwfl_.get());
    Dwfl_Module* module =
        dwfl_report_elf(file_dwfl_.get(), path_.c_str(), path_.c_str(), -1, 0, false);
    dwfl_report_end(file_dwfl_.get(), nullptr, nullptr);
    // A file rebuilt since the process mapped it would name other code.
    if (module != nullptr && build_id_of(module) == build_id_) {
        file_module_ = module;
    }
    return file_module_;
}

StackFrame ModuleImage::describe(Dwfl_Module* module, Dwarf_Addr bias, Dwarf_Addr vaddr,
                                 bool activation) {
    StackFrame frame;
    frame.module = path_;
    frame.build_id = build_id_;
    const Dwarf_Addr address = vaddr + bias;
    // A return address is after the call: the call itself is the instruction before it.
    const Dwarf_Addr lookup = activation ? address : address - 1;
    GElf_Off from_symbol = 0;
    GElf_Sym symbol;
    if (const char* raw = dwfl_module_addrinfo(module, lookup, &from_symbol, &symbol, nullptr,
                                               nullptr, nullptr)) {
        frame.symbol = demangled(raw);
        frame.function = function_name_of(frame.symbol);
        frame.symbol_offset = from_symbol + (address - lookup);
    }
    // No source lines for the C library: no site is named after its frames, and its debug
    // information, when installed, takes a tenth of a second to read.
    const bool c_library = !traits(module).static_program && is_c_library_module(path_);
    if (!c_library) {
        source_line(module, lookup, frame);
    }
    Dwarf_Addr elf_bias = 0;
    frame.offset = file_offset(dwfl_module_getelf(module, &elf_bias), vaddr);
    frame.in_c_library = in_c_library(path_, traits(module), frame.function, !frame.file.empty());
    return frame;
}

void ModuleImage::source_line(Dwfl_Module* module, Dwarf_Addr address, StackFrame& frame) {
    int number = 0;
    const char* file = nullptr;
    if (Dwfl_Line* found = dwfl_module_getsrc(module, address)) {
        file = dwfl_lineinfo(found, nullptr, &number, nullptr, nullptr, nullptr);
    } else if (Dwarf_Line* row = line_without_aranges(module, address)) {
        file = dwarf_linesrc(row, nullptr, nullptr);
        dwarf_lineno(row, &number);
    }
    if (file != nullptr) {
        frame.file = file;
        frame.line = number > 0 ? static_cast<unsigned>(number) : 0;
    }
}

Dwarf_Line* ModuleImage::line_without_aranges(Dwfl_Module* module, Dwarf_Addr address) {
    Dwarf_Addr bias = 0;
    Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
    if (dwarf == nullptr) {
        return nullptr;
    }
    if (!unit_ranges_checked_) {
        unit_ranges_checked_ = true;
        if (lacks_address_ranges(dwarf)) {
            unit_ranges_.emplace(dwarf);
        }
    }
    return unit_ranges_ ? unit_ranges_->line_at(address - bias) : nullptr;
}

const ModuleTraits& ModuleImage::traits(Dwfl_Module* module) {
    if (!traits_) {
        Dwarf_Addr bias = 0;
        Elf* elf = dwfl_module_getelf(module, &bias);
        traits_.emplace();
        traits_->static_program = elf != nullptr && is_static_program(elf);
        // Only a static program's frames are told apart by their lines: reading a library's
        // debug information for nothing would cost as much as naming all its frames.
        traits_->has_line_info =
            traits_->static_program && dwfl_module_getdwarf(module, &bias) != nullptr;
    }
    return *traits_;
}

}  // namespace inject::trace
