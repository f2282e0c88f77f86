/* test_ruleswap.c - the rule-set swap on reload: a set a worker holds is never freed under
 * it, whatever the time it takes; an idle or blocked worker never delays the free; nothing
 * is leaked. The scheme this replaces (swap a volatile pointer, sleep 200 ms, free) fails
 * test_held_set_outlives_reload: it frees the set while the reader still holds it, and the
 * reader's lookup afterwards is a use after free (run under ASan in the sanitizer build). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "rules/rules.h"
#include "sensor/runtime/ruleswap.h"
#include "unit/check_main.h"

#define MAX_DESTROYED 1024

static pthread_mutex_t destroyed_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct rules *destroyed[MAX_DESTROYED];
static size_t ndestroyed;
static atomic_size_t ncreated;

static void record_destroy(struct rules *r)
{
    pthread_mutex_lock(&destroyed_lock);
    ck_assert_uint_lt(ndestroyed, MAX_DESTROYED);
    destroyed[ndestroyed++] = r;
    pthread_mutex_unlock(&destroyed_lock);
    rules_free(r);
}

static int was_destroyed(const struct rules *r)
{
    int found = 0;
    pthread_mutex_lock(&destroyed_lock);
    for (size_t i = 0; i < ndestroyed; i++)
        found |= destroyed[i] == r;
    pthread_mutex_unlock(&destroyed_lock);
    return found;
}

static size_t destroyed_count(void)
{
    pthread_mutex_lock(&destroyed_lock);
    size_t n = ndestroyed;
    pthread_mutex_unlock(&destroyed_lock);
    return n;
}

/* A set that lists pool.example.org: every reader looks it up, which reads the set deeply. */
static struct rules *make_set(void)
{
    static const char y[] = "version: 1\n"
                            "lists:\n"
                            "  - name: pools\n"
                            "    category: mining-pool\n"
                            "    domains: [pool.example.org]\n";
    char err[256];
    struct rules *r = rules_load_buffer(y, sizeof y - 1, "swap.yaml", NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    atomic_fetch_add(&ncreated, 1);
    return r;
}

static void use_set(const struct rules *r)
{
    struct rules_match m;
    ck_assert_int_eq(rules_match_name(r, "pool.example.org", 16, &m), 1);
}

static void reset(void)
{
    ndestroyed = 0;
    atomic_store(&ncreated, 0);
}

/* A two-party handshake: each step waits for the other side's flag (no sleeps). */
struct stage {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int step;
};

static void stage_set(struct stage *s, int step)
{
    pthread_mutex_lock(&s->mu);
    s->step = step;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void stage_wait(struct stage *s, int step)
{
    pthread_mutex_lock(&s->mu);
    while (s->step < step)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

struct held_ctx {
    struct ruleswap *sw;
    struct stage st;
    struct rules *held;
};

/* Step 1: holding. Step 2 (writer): swapped and reclaimed. Step 3: used the held set, left. */
static void *held_reader(void *arg)
{
    struct held_ctx *c = arg;
    c->held = ruleswap_enter(c->sw, 0);
    use_set(c->held);
    stage_set(&c->st, 1);
    stage_wait(&c->st, 2);
    use_set(c->held); /* a packet that took longer than any grace period */
    ruleswap_leave(c->sw, 0);
    stage_set(&c->st, 3);
    return NULL;
}

START_TEST(test_held_set_outlives_reload)
{
    reset();
    struct rules *a = make_set();
    struct held_ctx c = { .sw = ruleswap_new(a, 2, record_destroy),
                          .st = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 } };
    ck_assert_ptr_nonnull(c.sw);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, held_reader, &c), 0);
    stage_wait(&c.st, 1);
    ck_assert_ptr_eq(c.held, a);
    struct rules *b = make_set();
    ck_assert_int_eq(ruleswap_publish(c.sw, b), 0);
    ck_assert_ptr_eq(ruleswap_current(c.sw), b);
    /* However often the writer tries, the held set stays. */
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(ruleswap_reclaim(c.sw), 1);
    ck_assert(!was_destroyed(a));
    stage_set(&c.st, 2);
    stage_wait(&c.st, 3);
    ck_assert_uint_eq(ruleswap_reclaim(c.sw), 0);
    ck_assert(was_destroyed(a));
    ck_assert(!was_destroyed(b));
    pthread_join(t, NULL);
    ruleswap_free(c.sw);
    ck_assert(was_destroyed(b));
    ck_assert_uint_eq(destroyed_count(), 2);
}
END_TEST

struct blocked_ctx {
    struct ruleswap *sw;
    struct stage st;
};

/* A worker whose capture read blocks on a quiet link: it entered once, then left. */
static void *blocked_reader(void *arg)
{
    struct blocked_ctx *c = arg;
    use_set(ruleswap_enter(c->sw, 0));
    ruleswap_leave(c->sw, 0);
    stage_set(&c->st, 1);
    stage_wait(&c->st, 2); /* "blocked in the read" until the test ends */
    return NULL;
}

START_TEST(test_idle_reader_does_not_delay)
{
    reset();
    struct rules *a = make_set();
    /* Reader 1 never runs at all (a worker that has not seen a packet yet). */
    struct blocked_ctx c = { .sw = ruleswap_new(a, 2, record_destroy),
                             .st = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 } };
    ck_assert_ptr_nonnull(c.sw);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, blocked_reader, &c), 0);
    stage_wait(&c.st, 1);
    ck_assert_int_eq(ruleswap_publish(c.sw, make_set()), 0);
    /* Freed by the publish itself: nobody holds it. */
    ck_assert(was_destroyed(a));
    ck_assert_uint_eq(ruleswap_reclaim(c.sw), 0);
    stage_set(&c.st, 2);
    pthread_join(t, NULL);
    ruleswap_free(c.sw);
    ck_assert_uint_eq(destroyed_count(), atomic_load(&ncreated));
}
END_TEST

START_TEST(test_reader_moving_on_frees)
{
    reset();
    struct rules *a = make_set(), *b = make_set();
    struct ruleswap *sw = ruleswap_new(a, 1, record_destroy);
    ck_assert_ptr_nonnull(sw);
    ck_assert_ptr_eq(ruleswap_enter(sw, 0), a);
    ck_assert_int_eq(ruleswap_publish(sw, b), 0);
    ck_assert(!was_destroyed(a));
    /* Entering again without leaving (packet after packet) moves the reader on too. */
    ck_assert_ptr_eq(ruleswap_enter(sw, 0), b);
    ck_assert_uint_eq(ruleswap_reclaim(sw), 0);
    ck_assert(was_destroyed(a));
    ck_assert(!was_destroyed(b));
    use_set(ruleswap_enter(sw, 0));
    ruleswap_free(sw);
    ck_assert_uint_eq(destroyed_count(), 2);
}
END_TEST

START_TEST(test_stuck_reader_bounds_retired_sets)
{
    reset();
    struct rules *a = make_set();
    struct ruleswap *sw = ruleswap_new(a, 1, record_destroy);
    ck_assert_ptr_nonnull(sw);
    ck_assert_ptr_eq(ruleswap_enter(sw, 0), a); /* and never moves on */
    struct rules *last = NULL;
    for (int i = 0; i < RULESWAP_MAX_RETIRED; i++) {
        last = make_set();
        ck_assert_int_eq(ruleswap_publish(sw, last), 0);
    }
    struct rules *refused = make_set();
    ck_assert_int_eq(ruleswap_publish(sw, refused), -1);
    ck_assert_ptr_eq(ruleswap_current(sw), last);
    ck_assert_uint_eq(destroyed_count(), 0);
    use_set(a);
    ruleswap_leave(sw, 0);
    ck_assert_int_eq(ruleswap_publish(sw, refused), 0);
    ck_assert_uint_eq(destroyed_count(), (size_t)RULESWAP_MAX_RETIRED + 1);
    ruleswap_free(sw);
    ck_assert_uint_eq(destroyed_count(), atomic_load(&ncreated));
}
END_TEST

#define STRESS_READERS 4
#define STRESS_ITER 20000
#define STRESS_SWAPS 200

struct stress_ctx {
    struct ruleswap *sw;
    int id;
};

/* A worker: enter for a "packet", use the set, sometimes leave for a "blocking read". */
static void *stress_reader(void *arg)
{
    struct stress_ctx *c = arg;
    for (int i = 0; i < STRESS_ITER; i++) {
        const struct rules *r = ruleswap_enter(c->sw, c->id);
        use_set(r);
        if (i % 3 == 0)
            ruleswap_leave(c->sw, c->id);
    }
    ruleswap_leave(c->sw, c->id);
    return NULL;
}

START_TEST(test_concurrent_swaps_free_everything_once)
{
    reset();
    struct ruleswap *sw = ruleswap_new(make_set(), STRESS_READERS, record_destroy);
    ck_assert_ptr_nonnull(sw);
    pthread_t t[STRESS_READERS];
    struct stress_ctx c[STRESS_READERS];
    for (int i = 0; i < STRESS_READERS; i++) {
        c[i].sw = sw;
        c[i].id = i;
        ck_assert_int_eq(pthread_create(&t[i], NULL, stress_reader, &c[i]), 0);
    }
    for (int i = 0; i < STRESS_SWAPS; i++) {
        struct rules *next = make_set();
        while (ruleswap_publish(sw, next) != 0) /* readers always move on: bounded */
            sched_yield();
    }
    for (int i = 0; i < STRESS_READERS; i++)
        pthread_join(t[i], NULL);
    ck_assert_uint_eq(ruleswap_reclaim(sw), 0);
    ck_assert_uint_eq(destroyed_count(), (size_t)STRESS_SWAPS);
    ruleswap_free(sw);
    ck_assert_uint_eq(destroyed_count(), (size_t)STRESS_SWAPS + 1);
    /* Every set destroyed exactly once: as many destroys as sets (a double free would
     * also stop the sanitizer build here). */
    ck_assert_uint_eq(atomic_load(&ncreated), (size_t)STRESS_SWAPS + 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ruleswap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_held_set_outlives_reload);
    tcase_add_test(tc, test_idle_reader_does_not_delay);
    tcase_add_test(tc, test_reader_moving_on_frees);
    tcase_add_test(tc, test_stuck_reader_bounds_retired_sets);
    tcase_add_test(tc, test_concurrent_swaps_free_everything_once);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
