#include "config.h"
#include "unit.h"
CU_TestInfo val_tests[] = { CU_TEST_INFO_NULL };
