// SPDX-License-Identifier: MIT
#include "cad/program_json.h"
