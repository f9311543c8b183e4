#include "inspector/EditForm.h"

namespace dust {

void EditForm::allow(QWidget *widget, const QString &why, const QString &tooltip)
{
    widget->setEnabled(why.isEmpty());
    widget->setToolTip(why.isEmpty() ? tooltip : why);
}

} // namespace dust
