"""Every way in: phone lines, 12110 SMS, app and WeChat alarms, video calls and alarm posts, into one queue."""
