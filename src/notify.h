/*
 * Readiness for a service manager: systemd's sd_notify protocol, one
 * datagram to $NOTIFY_SOCKET, no library needed.
 */
#ifndef WEIR_NOTIFY_H
#define WEIR_NOTIFY_H

/*
 * Send msg ("READY=1", "RELOADING=1", "STOPPING=1"...) when weir runs
 * under a manager that set NOTIFY_SOCKET; a no-op otherwise. Returns 0,
 * or -1 when the message could not be sent. Main thread.
 */
int notify(const char *msg);

#endif
