#include "config.h"
#include "unit.h"
CU_TestInfo graph_tests[] = { CU_TEST_INFO_NULL };
