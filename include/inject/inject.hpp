// Everything of inject's public C++ API.
#pragma once

#include "inject/abi.hpp"
#include "inject/check.hpp"
#include "inject/expect.hpp"
#include "inject/names.hpp"
#include "inject/rule.hpp"
#include "inject/run.hpp"
#include "inject/scenario.hpp"
#include "inject/syscall_log.hpp"
