#include "config.h"
#include "unit.h"
CU_TestInfo diag_tests[] = { CU_TEST_INFO_NULL };
