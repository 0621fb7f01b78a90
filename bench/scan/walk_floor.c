/* The floor of a warm scan: list a folder tree and read each file's size,
 * inode and ctime (the per-file cache key issue 13 asks for), in parallel,
 * with nothing else. bench/scan/floor.sh compiles and runs it next to custody.
 *   walk_floor DIR THREADS STAT(0|1)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>
/* work queue of dir fds: simple, mutex-protected stack */
static int stack[200000]; static int top=0; static pthread_mutex_t mu=PTHREAD_MUTEX_INITIALIZER;
static int busy=0; static long files=0; static int STAT=1;
struct linux_dirent64 { unsigned long d_ino; long d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };
static void *worker(void*a){
  char buf[65536]; long nf=0;
  for(;;){
    pthread_mutex_lock(&mu);
    while(top==0 && busy>0){ pthread_mutex_unlock(&mu); sched_yield(); pthread_mutex_lock(&mu);}
    if(top==0){pthread_mutex_unlock(&mu); break;}
    int fd=stack[--top]; busy++; pthread_mutex_unlock(&mu);
    for(;;){
      long n=syscall(SYS_getdents64,fd,buf,sizeof buf); if(n<=0)break;
      for(long off=0;off<n;){ struct linux_dirent64*d=(void*)(buf+off); off+=d->d_reclen;
        if(d->d_name[0]=='.'&&(!d->d_name[1]||(d->d_name[1]=='.'&&!d->d_name[2])))continue;
        if(d->d_type==DT_DIR){ int c=openat(fd,d->d_name,O_RDONLY|O_DIRECTORY|O_CLOEXEC); pthread_mutex_lock(&mu); stack[top++]=c; pthread_mutex_unlock(&mu);}
        else { nf++; if(STAT){ struct statx sx; statx(fd,d->d_name,AT_SYMLINK_NOFOLLOW,STATX_SIZE|STATX_INO|STATX_CTIME,&sx);} }
      }
    }
    close(fd);
    pthread_mutex_lock(&mu); busy--; pthread_mutex_unlock(&mu);
  }
  __sync_fetch_and_add(&files,nf); return 0;
}
int main(int c,char**v){ int T=atoi(v[2]); STAT=atoi(v[3]);
  struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
  stack[top++]=open(v[1],O_RDONLY|O_DIRECTORY);
  pthread_t th[16]; for(int i=0;i<T;i++)pthread_create(&th[i],0,worker,0); for(int i=0;i<T;i++)pthread_join(th[i],0);
  clock_gettime(CLOCK_MONOTONIC,&b);
  printf("threads=%d stat=%d files=%ld %.1f ms\n",T,STAT,files,(b.tv_sec-a.tv_sec)*1e3+(b.tv_nsec-a.tv_nsec)/1e6);
}
