/* main.c - command line, start-up and the packet loop (placeholder until the core lands). */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("minewatch %s\n", MW_VERSION);
    return 0;
}
