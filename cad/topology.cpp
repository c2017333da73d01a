// SPDX-License-Identifier: MIT
#include "cad/topology.h"
